package nbody

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func shellPositions(t *testing.T, n int) []float64 {
	t.Helper()
	b, err := Generate(Shell, n, DefaultParams(n), 5)
	require.NoError(t, err)
	return b.Pos
}

func TestComparePositionsIdenticalPasses(t *testing.T) {
	host := shellPositions(t, 100)
	c, err := ComparePositions(host, append([]float64(nil), host...), PositionTolerance(Single))
	require.NoError(t, err)
	assert.True(t, c.Passed())
	assert.Equal(t, 400, c.Values)
	assert.Zero(t, c.Outside())
	assert.Empty(t, c.Mismatches)
	assert.Zero(t, c.MaxRelError)
	assert.Zero(t, c.RMSRelError)
}

// Every body is compared, not only the first quarter as in the sample:
// a difference in the last body's z fails.
func TestComparePositionsSeesTheLastBody(t *testing.T) {
	host := shellPositions(t, 64)
	dev := append([]float64(nil), host...)
	last := len(dev) - 2 // z of the last body
	dev[last] += 0.01
	c, err := ComparePositions(host, dev, 0.0005)
	require.NoError(t, err)
	assert.False(t, c.Passed())
	require.Len(t, c.Mismatches, 1)
	assert.Equal(t, Mismatch{Index: last, Host: host[last], Device: dev[last]}, c.Mismatches[0])
	assert.Zero(t, c.More)
}

// The first ten values outside are listed in order; the rest are counted.
func TestComparePositionsListsTenAndCountsTheRest(t *testing.T) {
	host := shellPositions(t, 50)
	dev := append([]float64(nil), host...)
	var bad []int
	for i := 3; len(bad) < 17; i += 7 {
		dev[i] -= 0.25
		bad = append(bad, i)
	}
	c, err := ComparePositions(host, dev, 0.0005)
	require.NoError(t, err)
	assert.False(t, c.Passed())
	require.Len(t, c.Mismatches, MaxListedMismatches)
	for k, m := range c.Mismatches {
		assert.Equal(t, bad[k], m.Index)
		assert.Equal(t, host[bad[k]], m.Host)
		assert.Equal(t, dev[bad[k]], m.Device)
	}
	assert.Equal(t, 7, c.More)
	assert.Equal(t, 17, c.Outside())
}

func TestComparePositionsToleranceIsInclusiveAndNaNFails(t *testing.T) {
	host := []float64{1, 2, 3, 1, -1, -2, -3, 1}
	dev := []float64{1.5, 2, 3, 1, -1, -2, -3, 1}
	c, err := ComparePositions(host, dev, 0.5)
	require.NoError(t, err)
	assert.True(t, c.Passed(), "a difference equal to the tolerance is within it")

	dev[5] = math.NaN()
	c, err = ComparePositions(host, dev, 0.5)
	require.NoError(t, err)
	assert.False(t, c.Passed(), "NaN must fail, as it does not in the sample's fabs(a-b) > tol")
	assert.True(t, math.IsNaN(c.MaxRelError))

	dev[5] = math.Inf(1)
	c, err = ComparePositions(host, dev, 0.5)
	require.NoError(t, err)
	assert.False(t, c.Passed())
}

func TestComparePositionsRelativeErrors(t *testing.T) {
	// Body 0 at distance 5 off by 0.05 (1%); body 1 at distance 2 exact.
	host := []float64{3, 4, 0, 1, 0, 2, 0, 1}
	dev := []float64{3.03, 4.04, 0, 1, 0, 2, 0, 1}
	c, err := ComparePositions(host, dev, 1)
	require.NoError(t, err)
	assert.InDelta(t, 0.01, c.MaxRelError, 1e-12)
	assert.InDelta(t, math.Sqrt(0.01*0.01/2), c.RMSRelError, 1e-12)
}

func TestComparePositionsRefusesMismatchedInput(t *testing.T) {
	_, err := ComparePositions(make([]float64, 8), make([]float64, 4), 1)
	assert.Error(t, err)
	_, err = ComparePositions(make([]float64, 6), make([]float64, 6), 1)
	assert.Error(t, err)
	_, err = ComparePositions(make([]float64, 4), make([]float64, 4), math.NaN())
	assert.Error(t, err)
	c, err := ComparePositions(nil, nil, 1)
	require.NoError(t, err)
	assert.False(t, c.Passed(), "comparing nothing is not a pass")
}

func TestPositionTolerance(t *testing.T) {
	assert.Equal(t, 0.0005, PositionTolerance(Single))
	fp64 := PositionTolerance(Double)
	assert.InDelta(t, 9.31e-13, fp64, 0.01e-13)
	// Above a correct fp64 path's rounding at the shell's radii, below one
	// float32 rounding of a position there.
	assert.Greater(t, fp64, 100*(math.Nextafter(7, 8)-7))
	assert.Less(t, fp64, float64(math.Nextafter32(5, 6)-5))
}

// skewed is an integrator that returns the reference's state with every
// velocity scaled, as a too-coarse reciprocal square root would.
type skewed struct {
	*Reference
	factor float64
}

func (s skewed) Bodies(dst *Bodies) error {
	if err := s.Reference.Bodies(dst); err != nil {
		return err
	}
	for i := range dst.Vel {
		if i%4 != 3 {
			dst.Vel[i] *= s.factor
		}
	}
	return nil
}

func (s skewed) Step(ctx context.Context, dt float64, steps int) (time.Duration, error) {
	return s.Reference.Step(ctx, dt, steps)
}

func TestCheckAccelerations(t *testing.T) {
	b, err := Generate(Shell, 300, DefaultParams(300), 9)
	require.NoError(t, err)
	phys := Presets[0].Physics()

	good, err := CheckAccelerations(context.Background(), NewReference(phys), b, phys.Softening, Single)
	require.NoError(t, err)
	assert.True(t, good.Passed())
	assert.Less(t, good.Error, 1e-15)
	assert.Equal(t, AccuracyBound(Single), good.Bound)

	// 1e-4 relative: inside no bound; 1e-6: inside fp32's, outside fp64's.
	bad, err := CheckAccelerations(context.Background(), skewed{NewReference(phys), 1 + 1e-4}, b, phys.Softening, Single)
	require.NoError(t, err)
	assert.False(t, bad.Passed())
	assert.InDelta(t, 1e-4, bad.Error, 1e-9)

	slight := skewed{NewReference(phys), 1 + 1e-6}
	single, err := CheckAccelerations(context.Background(), slight, b, phys.Softening, Single)
	require.NoError(t, err)
	assert.True(t, single.Passed())
	double, err := CheckAccelerations(context.Background(), slight, b, phys.Softening, Double)
	require.NoError(t, err)
	assert.False(t, double.Passed())

	nan := AccelerationCheck{Error: math.NaN(), Bound: 1}
	assert.False(t, nan.Passed())
}
