package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
)

// One device, or the CPU, prints no exchange line: the header stays the
// sample's.
func TestNoExchangeLineWithoutSeveralGPUs(t *testing.T) {
	for _, p := range []*modes.Platform{
		{},
		{Devices: []gpu.Device{{Name: "a"}, {Name: "b"}}}, // the CPU fallback keeps no GPU
	} {
		var out bytes.Buffer
		printExchange(&out, p)
		assert.Empty(t, out.String())
	}
}
