package nbody_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"slices"

	"github.com/nbody-go/nbody/nbody"
)

// Generate the sample's rotating shell: the same seed gives the same bodies
// on every machine, every body of mass 1, moving about the z axis.
func ExampleGenerate() {
	const n = 1024
	preset := nbody.DefaultParams(n)
	b, err := nbody.Generate(nbody.Shell, n, preset, 42)
	if err != nil {
		log.Fatal(err)
	}
	again, err := nbody.Generate(nbody.Shell, n, preset, 42)
	if err != nil {
		log.Fatal(err)
	}
	mass, flat := 0.0, true
	for i := range b.N() {
		mass += b.Pos[4*i+3]
		flat = flat && b.Vel[4*i+2] == 0 // no velocity along the axis
	}
	fmt.Println("bodies:", b.N())
	fmt.Println("total mass:", mass)
	fmt.Println("rotating about z:", flat)
	fmt.Println("same seed, same bodies:", slices.Equal(b.Pos, again.Pos) && slices.Equal(b.Vel, again.Vel))
	// Output:
	// bodies: 1024
	// total mass: 1024
	// rotating about z: true
	// same seed, same bodies: true
}

// Step two bodies in a circular orbit with the float64 reference: after half
// a period each is on the other side, after a whole one back where it started.
func ExampleReference() {
	// Two bodies of mass 1 at x = ±1, pulled by a = d/(d²+ε²)^(3/2) at
	// distance d = 2 (no gravitational constant), each moving at the speed
	// that keeps it on its circle: v² = a·r.
	const softening, r, steps = 0.001, 1.0, 2000
	d := 2 * r
	a := d / math.Pow(d*d+softening*softening, 1.5)
	v := math.Sqrt(a * r)
	period := 2 * math.Pi * r / v
	b := nbody.NewBodies(2)
	copy(b.Pos, []float64{r, 0, 0, 1, -r, 0, 0, 1})
	copy(b.Vel, []float64{0, v, 0, 1, 0, -v, 0, 1})

	ref := nbody.NewReference(nbody.Physics{Softening: softening, Damping: 1})
	defer ref.Close()
	if err := ref.SetBodies(b); err != nil {
		log.Fatal(err)
	}
	before := nbody.MeasureEnergy(b, softening).Total()
	for _, when := range []string{"half", "whole"} {
		if _, err := ref.Step(context.Background(), period/steps, steps/2); err != nil {
			log.Fatal(err)
		}
		if err := ref.Bodies(&b); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("after a %s orbit the first body is at x = %+.2f\n", when, b.Pos[0])
	}
	drift := math.Abs(nbody.MeasureEnergy(b, softening).Total()/before - 1)
	fmt.Println("energy kept within 0.1%:", drift < 1e-3)
	// Output:
	// after a half orbit the first body is at x = -1.00
	// after a whole orbit the first body is at x = +1.00
	// energy kept within 0.1%: true
}
