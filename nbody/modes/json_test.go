package modes

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
)

func TestComparisonJSON(t *testing.T) {
	n := 8
	host, dev := make([]float64, 4*n), make([]float64, 4*n)
	for i := range host {
		host[i] = float64(i) * 0.25
		dev[i] = host[i]
	}
	for i := range 13 {
		dev[2*i] += 0.125
	}
	pos, err := nbody.ComparePositions(host, dev, 0.0005)
	require.NoError(t, err)
	c := Comparison{Steps: 2, DT: 0.001, Compared: "test", Positions: pos,
		Acceleration: nbody.AccelerationCheck{Error: 1e-7, Bound: 2e-5}}
	var j struct {
		Outside int `json:"outside"`
		Errors  []struct {
			Body      int     `json:"body"`
			Component string  `json:"component"`
			Host      float64 `json:"host"`
			Device    float64 `json:"device"`
		} `json:"errors"`
		Passed bool `json:"passed"`
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &j))
	assert.Equal(t, 13, j.Outside)
	require.Len(t, j.Errors, 10, "the first ten, as the text lists them")
	assert.Equal(t, 0, j.Errors[1].Body)
	assert.Equal(t, "z", j.Errors[1].Component)
	assert.Equal(t, 0.5, j.Errors[1].Host)
	assert.Equal(t, 0.625, j.Errors[1].Device)
	assert.False(t, j.Passed)
}

func TestEnergyJSON(t *testing.T) {
	r := EnergyResult{
		EnergyReport: nbody.EnergyReport{
			Start: nbody.EnergyState{Kinetic: 2, Potential: -6, Momentum: [3]float64{1, 0, 0}},
			End:   nbody.EnergyState{Kinetic: 2.5, Potential: -6.3, Momentum: [3]float64{1, 0.5, 0}},
		},
		Steps: 1, DT: 0.016, Took: 250 * time.Millisecond,
	}
	var j map[string]any
	b, err := json.Marshal(r)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &j))
	assert.InDelta(t, 0.05, j["relative_drift"], 1e-15)
	assert.Equal(t, -4.0, j["start"].(map[string]any)["total"])
	assert.Equal(t, 0.25, j["measure_seconds"])

	zero := EnergyResult{Steps: 1, DT: 0.016}
	require.True(t, math.IsNaN(zero.Drift()))
	b, err = json.Marshal(zero)
	require.NoError(t, err, "a NaN drift must not break the JSON")
	require.NoError(t, json.Unmarshal(b, &j))
	assert.Nil(t, j["relative_drift"], "a drift from zero energy means nothing: null")
}

func TestBenchmarkAndViewJSON(t *testing.T) {
	f := Throughput(1000, 3, 0, nbody.Single) // a clock too coarse: infinite rates
	b, err := json.Marshal(BenchmarkResult{Figures: f, End: EndState{Steps: 3, DT: 0.016}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"iterations":3,"dt":0.016,"total_ms":0,"billion_interactions_per_second":null,"gflops":null,"flops_per_interaction":20}`, string(b))

	v := ViewResult{End: EndState{Steps: 8, DT: 0.016}, Figures: Throughput(10, 8, time.Millisecond, nbody.Double),
		Wall: time.Second, Drawn: Drawing{Path: "a.gif", Frames: 2, Every: 4, Width: 720, Height: 480}}
	b, err = json.Marshal(v)
	require.NoError(t, err)
	var j map[string]any
	require.NoError(t, json.Unmarshal(b, &j))
	assert.Equal(t, "a.gif", j["render"])
	assert.Equal(t, 2.0, j["frames"])
	assert.Equal(t, false, j["interrupted"])
	b, err = json.Marshal(ViewResult{})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "render", "nothing drawn, no render fields")
}

func TestResultLines(t *testing.T) {
	v := ViewResult{End: EndState{Steps: 240, DT: 0.016}, Wall: 3018 * time.Millisecond,
		Figures: Throughput(8192, 240, 1904011*time.Microsecond, nbody.Single)}
	assert.Equal(t, "8192 bodies, 240 steps of dt 0.016: 1904.011 ms of simulation, 8.459 billion interactions per second, "+
		"169.181 single-precision GFLOP/s (3.018 s in all)", v.Summary(), "docs/view.md's example")
	v.Wall, v.End.Steps = 412*time.Microsecond, 1
	assert.Contains(t, v.Summary(), "1 step of dt 0.016")
	assert.Contains(t, v.Summary(), "(0.412 ms in all)", "a short run never reads 0.000 s")

	e := EnergyResult{EnergyReport: nbody.EnergyReport{
		Start: nbody.EnergyState{Kinetic: 2, Potential: -6, Momentum: [3]float64{1, 0, 0}},
		End:   nbody.EnergyState{Kinetic: 2.5, Potential: -6.3, Momentum: [3]float64{1, 0.5, 0}},
	}, Steps: 1, DT: 0.016, Took: 250 * time.Millisecond}
	assert.Equal(t, []string{
		"Energy at start: kinetic 2, potential -6, total -4; momentum (1, 0, 0)",
		"Energy at end:   kinetic 2.5, potential -6.3, total -3.8; momentum (1, 0.5, 0)",
		"Energy drift: 5.000e-02 relative, over 1 step of dt 0.016; momentum change (0, 0.5, 0)",
		"Energy measured in 0.250 s (float64, every pair of bodies on the CPU, twice)",
	}, e.Lines())
}
