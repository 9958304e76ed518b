package modes

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nbody-go/nbody/nbody"
)

type nonFiniteHeard struct {
	Observer // nil: only NonFinite is called
	bad, all int
}

func (o *nonFiniteHeard) NonFinite(bad, all int) { o.bad, o.all = bad, all }

func TestNonFinite(t *testing.T) {
	b := nbody.NewBodies(4)
	assert.Equal(t, 0, NonFinite(b))
	b.Pos[1] = math.NaN()      // body 0's y
	b.Vel[4*2+2] = math.Inf(1) // body 2's vz
	b.Vel[4*3+3] = math.NaN()  // body 3's w, which no step uses: not counted
	assert.Equal(t, 2, NonFinite(b))

	var heard nonFiniteHeard
	tellNonFinite(&heard, b)
	assert.Equal(t, [2]int{2, 4}, [2]int{heard.bad, heard.all})
	tellNonFinite(struct{ Observer }{}, b) // an Observer that does not listen is not asked
}
