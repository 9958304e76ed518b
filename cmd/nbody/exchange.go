package main

import (
	"fmt"
	"io"

	"github.com/nbody-go/nbody/nbody/modes"
)

// printExchange prints, after the device lines and only when several GPUs
// share the simulation, how they exchange positions after each step
// (ours; the sample has no such line).
func printExchange(w io.Writer, p *modes.Platform) {
	if p.GPU == nil || len(p.Devices) < 2 {
		return
	}
	fmt.Fprintf(w, "> Exchange: %s\n", p.GPU.Exchange())
}
