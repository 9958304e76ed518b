package main

import (
	"errors"

	"github.com/nbody-go/nbody/nbody"
)

// errTipsyPending stands in until package nbody/tipsy lands.
var errTipsyPending = errors.New("tipsy files are not supported in this build yet")

// tipsyInput is a tipsy file read at start: its bodies, and how to write
// bodies back in the format it was read in.
type tipsyInput struct {
	bodies nbody.Bodies
	save   func(path string, b nbody.Bodies) error
}

// readTipsy reads a tipsy file in the given format (auto, native or
// standard).
func readTipsy(path, format string) (tipsyInput, error) {
	return tipsyInput{}, errTipsyPending
}

// writeTipsy writes generated bodies as a standard tipsy snapshot.
func writeTipsy(path string, b nbody.Bodies) error {
	return errTipsyPending
}
