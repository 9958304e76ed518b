package main

import (
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// tipsyInput is a tipsy file read at start: its bodies, and how to write
// bodies back in the format it was read in.
type tipsyInput struct {
	bodies nbody.Bodies
	save   func(path string, b nbody.Bodies) error
}

// readTipsy reads a tipsy file in the given format (auto, native or
// standard). Its errors name the file.
func readTipsy(path, format string) (tipsyInput, error) {
	f, err := tipsy.ParseFormat(format)
	if err != nil {
		return tipsyInput{}, err
	}
	snap, err := tipsy.ReadFile(path, f)
	if err != nil {
		return tipsyInput{}, err
	}
	save := func(out string, b nbody.Bodies) error {
		// Every record keeps its other fields (ids, metals, ...); only
		// what the simulation moved changes.
		if err := snap.SetBodies(b); err != nil {
			return err
		}
		return tipsy.WriteFile(out, snap)
	}
	return tipsyInput{bodies: snap.Bodies(), save: save}, nil
}

// writeTipsy writes generated bodies as a standard tipsy snapshot.
func writeTipsy(path string, b nbody.Bodies) error {
	snap, err := tipsy.FromBodies(b)
	if err != nil {
		return err
	}
	return tipsy.WriteFile(path, snap)
}
