package modes

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nbody-go/nbody/nbody"
)

func TestNonFinite(t *testing.T) {
	b := nbody.NewBodies(4)
	assert.Equal(t, 0, NonFinite(b))
	b.Pos[1] = math.NaN()      // body 0's y
	b.Vel[4*2+2] = math.Inf(1) // body 2's vz
	b.Vel[4*3+3] = math.NaN()  // body 3's w, which no step uses: not counted
	assert.Equal(t, 2, NonFinite(b))

	var heard []Event
	tellNonFinite(func(e Event) { heard = append(heard, e) }, b)
	assert.Equal(t, []Event{BrokeDown{Bad: 2, All: 4}}, heard)
	tellNonFinite(nil, b) // nobody listens: nothing to tell, no panic

	heard = nil
	tellNonFinite(func(e Event) { heard = append(heard, e) }, nbody.NewBodies(3))
	assert.Empty(t, heard, "finite bodies are not news")
}
