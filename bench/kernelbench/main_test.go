package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/kernels"
)

// An embedded forces kernel brings its build's shape and precision, so
// that timing the committed PTX needs no flags that restate it (the
// default tile factor of 1 once gave the _t256 kernels a quarter of their
// shared memory); a variant's flags override them.
func TestVariantTakesTheEmbeddedShape(t *testing.T) {
	for _, c := range []struct {
		entry  string
		double bool
		want   kernels.Set
	}{
		{kernels.ForcesF32T256, false, kernels.Select(false, 256)},
		{kernels.ForcesF32T1024, false, kernels.Select(false, 1024)},
		{kernels.ForcesF64T256, true, kernels.Select(true, 256)},
		{kernels.ForcesF64T1024, true, kernels.Select(true, 1024)},
	} {
		got, err := variant(c.entry, 256, false, false, 0, 0)
		require.NoError(t, err, c.entry)
		assert.Equal(t, c.want, got, c.entry)
		assert.Equal(t, c.double, got.Double, c.entry)
	}
	got, err := variant(kernels.ForcesF64T256, 256, true, true, 2, 1)
	require.NoError(t, err)
	assert.Equal(t, 2, got.BodiesPerThread)
	assert.Equal(t, 1, got.TileFactor)
	assert.Equal(t, kernels.StepF64T256, got.Step, "the rest of the build comes along")
	assert.True(t, got.Double)
}

func TestVariantRefusesWhatItCannotKnow(t *testing.T) {
	_, err := variant(kernels.ForcesF64T256, 256, false, true, 0, 0)
	assert.ErrorContains(t, err, "other precision")
	_, err = variant("nbody_forces_mine", 256, false, false, 8, 0)
	assert.ErrorContains(t, err, "give -bodies and -tile")
	got, err := variant("nbody_forces_mine", 256, false, false, 8, 4)
	require.NoError(t, err)
	assert.Equal(t, "nbody_forces_mine", got.Forces)
	assert.Equal(t, kernels.StepF32T256, got.Step)
	assert.Equal(t, 8, got.BodiesPerThread)
	assert.Equal(t, 4, got.TileFactor)
}
