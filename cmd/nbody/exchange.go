package main

import (
	"fmt"
	"io"
)

// printExchange prints, after the device lines and only when several GPUs
// share the simulation, how they exchange positions after each step
// (ours; the sample has no such line).
func printExchange(w io.Writer, p platform) {
	if p.gpu == nil || len(p.devices) < 2 {
		return
	}
	fmt.Fprintf(w, "> Exchange: %s\n", p.gpu.Exchange())
}
