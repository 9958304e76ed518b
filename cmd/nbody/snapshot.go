package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

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

// checkWritable reports whether a file can be written at path: it is not a
// directory, and its directory takes a new file. It leaves nothing behind
// and does not touch an existing file at path.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".nbody-output-check-*")
	if err != nil {
		return fmt.Errorf("cannot create files in %s: %w", filepath.Dir(path), errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
