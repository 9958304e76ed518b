package jsonnum

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFloat(t *testing.T) {
	out, err := json.Marshal([]Float{1.5, Float(math.NaN()), Float(math.Inf(-1)), 1e-300, 0.1})
	require.NoError(t, err)
	assert.Equal(t, `[1.5,null,null,1e-300,0.1]`, string(out))
	out, err = json.Marshal(Vector([3]float64{1, math.Inf(1), 3}))
	require.NoError(t, err)
	assert.Equal(t, `[1,null,3]`, string(out))
}
