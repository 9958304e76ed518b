package tipsy

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The figures below were read off galaxy_20K.bin with Python's struct
// module (little-endian, 32-byte header, 36-byte dark and 44-byte star
// records); the decimals are the float32 values exactly, as Python prints
// them widened to float64.

func TestGalaxyHeader(t *testing.T) {
	galaxyBytes(t)
	s, err := ReadFile(galaxyPath, Auto)
	require.NoError(t, err)
	assert.Equal(t, Native, s.Format)
	assert.Equal(t, Header{Time: 0, NBodies: 20000, NDim: 3, NSph: 0, NDark: 2500, NStar: 17500}, s.Header)
	assert.Equal(t, []byte{0xf6, 0x7f, 0x00, 0x00}, s.Pad, "the sample's padding, kept as found")
	assert.Empty(t, s.Gas)
	assert.Len(t, s.Dark, 2500)
	assert.Len(t, s.Star, 17500)
	assert.Equal(t, 20000, s.N())
}

func TestGalaxyKnownRecords(t *testing.T) {
	galaxyBytes(t)
	s, err := ReadFile(galaxyPath, Native)
	require.NoError(t, err)
	assert.Equal(t, DarkParticle{
		Mass: 0.04270477965474129,
		Pos:  [3]float32{0.47185373306274414, 0.10953158140182495, 0.8985462188720703},
		Vel:  [3]float32{1.5059847831726074, -0.20193754136562347, 0.21151122450828552},
		Eps:  0.4401707649230957, IDPhi: FromID(200000000),
	}, s.Dark[0], "first dark")
	assert.Equal(t, DarkParticle{
		Mass: 0.04270477965474129,
		Pos:  [3]float32{-30.15480613708496, 36.339576721191406, -63.887184143066406},
		Vel:  [3]float32{0.06811278313398361, -1.467756986618042, -0.18851281702518463},
		Eps:  0.4401707649230957, IDPhi: FromID(200002499),
	}, s.Dark[2499], "last dark")
	assert.Equal(t, StarParticle{
		Mass: 0.00251825456507504,
		Pos:  [3]float32{0.08416727185249329, -0.014020402915775776, 0.026327595114707947},
		Vel:  [3]float32{-0.168340265750885, 0.25521981716156006, -0.10021642595529556},
		Eps:  0.17132821679115295, IDPhi: FromID(100000000),
	}, s.Star[0], "first star")
	assert.Equal(t, StarParticle{
		Mass: 0.001190653070807457,
		Pos:  [3]float32{29.42360496520996, -29.774673461914062, -1.0751819610595703},
		Vel:  [3]float32{0.8974363803863525, 0.8996971249580383, -0.015855751931667328},
		Eps:  0.13347218930721283, IDPhi: FromID(14999),
	}, s.Star[17499], "last star")
}

// span is the smallest and largest of some values.
type span struct{ lo, hi float32 }

func (s *span) add(v float32) {
	s.lo, s.hi = min(s.lo, v), max(s.hi, v)
}

func newSpan() span { return span{float32(math.Inf(1)), float32(math.Inf(-1))} }

func TestGalaxyValueRanges(t *testing.T) {
	galaxyBytes(t)
	s, err := ReadFile(galaxyPath, Auto)
	require.NoError(t, err)

	// Dark matter: one mass and one softening, a halo hundreds of units
	// across; ids 200000000 on, in order.
	darkMass, darkEps := map[float32]int{}, map[float32]int{}
	darkPos := [3]span{newSpan(), newSpan(), newSpan()}
	for i, p := range s.Dark {
		darkMass[p.Mass]++
		darkEps[p.Eps]++
		for k := range 3 {
			darkPos[k].add(p.Pos[k])
		}
		require.Equal(t, int32(200000000+i), p.IDPhi.ID(), "dark id %d", i)
	}
	assert.Equal(t, map[float32]int{0.04270477965474129: 2500}, darkMass)
	assert.Equal(t, map[float32]int{0.4401707649230957: 2500}, darkEps)
	assert.Equal(t, [3]span{
		{-210.9629364013672, 269.6634521484375},
		{-228.02821350097656, 226.89744567871094},
		{-216.35940551757812, 272.3755187988281},
	}, darkPos)

	// Stars: a bulge of 2,500 (ids 100000000 on) then a thin disk of
	// 15,000 (ids 0 on), each with its own mass and softening.
	starMass, starEps := map[float32]int{}, map[float32]int{}
	starPos := [3]span{newSpan(), newSpan(), newSpan()}
	for i, p := range s.Star {
		starMass[p.Mass]++
		starEps[p.Eps]++
		for k := range 3 {
			starPos[k].add(p.Pos[k])
		}
		want := int32(i - 2500)
		if i < 2500 {
			want = int32(100000000 + i)
		}
		require.Equal(t, want, p.IDPhi.ID(), "star id %d", i)
		require.Zero(t, p.Metals, "star %d metals", i)
		require.Zero(t, p.TForm, "star %d tform", i)
	}
	assert.Equal(t, map[float32]int{0.00251825456507504: 2500, 0.001190653070807457: 15000}, starMass)
	assert.Equal(t, map[float32]int{0.17132821679115295: 2500, 0.13347218930721283: 15000}, starEps)
	assert.Equal(t, [3]span{
		{-43.109642028808594, 40.97376251220703},
		{-41.03436279296875, 42.08017349243164},
		{-5.915984630584717, 9.654109001159668},
	}, starPos)
}

func TestGalaxyBodies(t *testing.T) {
	galaxyBytes(t)
	s, err := ReadFile(galaxyPath, Auto)
	require.NoError(t, err)
	b := s.Bodies()
	require.NoError(t, b.Validate())
	require.Equal(t, 20000, b.N(), "every particle, no padding to a multiple of 256")

	// Dark first, then star, as the sample takes them; eps in w.
	d, st := s.Dark[0], s.Star[0]
	assert.Equal(t, []float64{float64(d.Pos[0]), float64(d.Pos[1]), float64(d.Pos[2]), float64(d.Mass)}, b.Pos[0:4])
	assert.Equal(t, []float64{float64(d.Vel[0]), float64(d.Vel[1]), float64(d.Vel[2]), float64(d.Eps)}, b.Vel[0:4])
	assert.Equal(t, []float64{float64(st.Pos[0]), float64(st.Pos[1]), float64(st.Pos[2]), float64(st.Mass)}, b.Pos[4*2500:4*2501])
	assert.Equal(t, []float64{float64(st.Vel[0]), float64(st.Vel[1]), float64(st.Vel[2]), float64(st.Eps)}, b.Vel[4*2500:4*2501])

	total := 0.0
	for i := range b.N() {
		total += b.Pos[4*i+3]
	}
	// Python's sum of the same float32 masses in float64: 130.91738161165267.
	assert.InDelta(t, 130.91738161165267, total, 1e-9)
}

// Reading the sample's file and writing it back gives the same bytes, its
// header padding included.
func TestGalaxyRoundTripIsByteExact(t *testing.T) {
	data := galaxyBytes(t)
	s, err := decode(data, Auto)
	require.NoError(t, err)
	out := encode(t, s)
	require.Equal(t, len(data), len(out))
	assert.True(t, string(data) == string(out), "rewritten file differs from the original")
	again, err := decode(out, Auto)
	require.NoError(t, err)
	assert.Equal(t, s, again)
}

// The galaxy is native: forcing standard fails with a clear reason and the
// hint that it reads as native.
func TestGalaxyForcedStandardFails(t *testing.T) {
	galaxyBytes(t)
	_, err := ReadFile(galaxyPath, Standard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), galaxyPath)
	assert.Contains(t, err.Error(), "not standard tipsy (big-endian)")
	assert.Contains(t, err.Error(), "dimension count 50331648")
	assert.Contains(t, err.Error(), "the file reads as native tipsy (little-endian)")
}
