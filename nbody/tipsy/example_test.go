package tipsy_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// Write bodies as a standard tipsy snapshot and read them back, letting Read
// tell the layout from the header and the size.
func Example() {
	bodies, err := nbody.Generate(nbody.Shell, 100, nbody.DefaultParams(100), 1)
	if err != nil {
		log.Fatal(err)
	}
	snap, err := tipsy.FromBodies(bodies)
	if err != nil {
		log.Fatal(err)
	}
	snap.Header.Time = 0.5
	var buf bytes.Buffer
	if err := snap.Write(&buf); err != nil {
		log.Fatal(err)
	}

	got, err := tipsy.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()), tipsy.Auto)
	if err != nil {
		log.Fatal(err)
	}
	h := got.Header
	fmt.Println("format:", got.Format, "bytes:", buf.Len())
	fmt.Println("time:", h.Time, "nbodies:", h.NBodies, "ndim:", h.NDim)
	fmt.Println("gas:", h.NSph, "dark:", h.NDark, "star:", h.NStar)
	// Records are float32: the bodies come back rounded to it.
	want := nbody.FromFloat32(nil, nbody.ToFloat32(nil, bodies.Pos))
	fmt.Println("same positions, to float32:", slices.Equal(got.Bodies().Pos, want))
	// Output:
	// format: standard bytes: 3632
	// time: 0.5 nbodies: 100 ndim: 3
	// gas: 0 dark: 100 star: 0
	// same positions, to float32: true
}

// Save a snapshot to a file and load it again: WriteFile replaces the file
// only once the new one is whole, and ReadFile reads only regular files.
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "tipsy-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "shell.bin")

	bodies, err := nbody.Generate(nbody.Shell, 1024, nbody.DefaultParams(1024), 7)
	if err != nil {
		log.Fatal(err)
	}
	snap, err := tipsy.FromBodies(bodies)
	if err != nil {
		log.Fatal(err)
	}
	if err := tipsy.WriteFile(path, snap); err != nil {
		log.Fatal(err)
	}
	got, err := tipsy.ReadFile(path, tipsy.Standard)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.N(), "bodies in", got.Format, "tipsy")
	// Output: 1024 bodies in standard tipsy
}
