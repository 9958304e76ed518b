package expect_test

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody/validate/expect"
)

func Example() {
	h200 := expect.Chip{Name: "NVIDIA H200", Major: 9, Minor: 0, Multiprocessors: 132, MaxClockMHz: 1980}
	e, ok := expect.Rate(h200, false)
	if !ok {
		fmt.Println("no expectation: report the rate as unknown")
		return
	}
	fmt.Printf("%.1f GI/s, %s\n", e.GIps, e.Source)

	// The same GPU at 922 GI/s, its clock held down by another job.
	if reason, slow := expect.Slow(922, e, expect.DefaultMinShare); slow {
		fmt.Println(reason)
	}

	// A chip without a measured row gets the model.
	l4 := expect.Chip{Name: "NVIDIA L4", Major: 8, Minor: 9, Multiprocessors: 58, MaxClockMHz: 2040}
	m, _ := expect.Rate(l4, false)
	fmt.Printf("%.0f GI/s, %s: %s\n", m.GIps, m.Source, m.Basis)
	// Output:
	// 2129.7 GI/s, measured
	// slow: 43% of the 2,130 GI/s expected of an NVIDIA H200 (measured)
	// 964 GI/s, model: NVIDIA L4 (model)
}
