package cpu_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/cpu"
)

// Step the sample's shell with the fast CPU integrator in single precision,
// and hold it to the float64 reference: its accelerations within the
// accuracy contract, and its positions after a few steps within the
// comparison's tolerance. Which vector instructions it uses (its Name)
// depends on the machine and the build; the answers do not.
func ExampleNew() {
	const n, steps = 1024, 10
	preset := nbody.DefaultParams(n)
	bodies, err := nbody.Generate(nbody.Shell, n, preset, 1)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	fast := cpu.New(nbody.Single, preset.Physics())
	defer fast.Close()
	check, err := nbody.CheckAccelerations(ctx, fast, bodies, preset.Softening, nbody.Single)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("within the accuracy contract:", check.Passed())

	ref := nbody.NewReference(preset.Physics())
	defer ref.Close()
	var got, want nbody.Bodies
	for _, in := range []nbody.Integrator{fast, ref} {
		if err := in.SetBodies(bodies); err != nil {
			log.Fatal(err)
		}
		if _, err := in.Step(ctx, preset.DT, steps); err != nil {
			log.Fatal(err)
		}
	}
	if err := fast.Bodies(&got); err != nil {
		log.Fatal(err)
	}
	if err := ref.Bodies(&want); err != nil {
		log.Fatal(err)
	}
	cmp, err := nbody.ComparePositions(want.Pos, got.Pos, nbody.PositionTolerance(nbody.Single))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bodies after %d steps agree with the reference: %v\n", got.N(), steps, cmp.Passed())
	// Output:
	// within the accuracy contract: true
	// 1024 bodies after 10 steps agree with the reference: true
}
