package modes

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/cluster"
)

// The interactive mode is refused before anything opens.
func TestClusterRefusesTheInteractiveMode(t *testing.T) {
	spec := cluster.Spec{}
	require.NoError(t, spec.SetRanks("2"))
	require.NoError(t, spec.SetRank("1"))
	require.NoError(t, spec.SetCoordinator("127.0.0.1:1"))
	require.NoError(t, spec.DetectFrom(func(string) (string, bool) { return "", false }))
	err := Run(context.Background(), RunOptions{Platform: PlatformOptions{Cluster: spec}}, nil)
	var ce *ClusterError
	require.ErrorAs(t, err, &ce)
}
