package modes

import (
	"fmt"

	"github.com/nbody-go/nbody/internal/pathname"
	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// Initial is the bodies a run starts from, and how to write bodies back as
// a snapshot of the same kind.
type Initial struct {
	Bodies nbody.Bodies
	Source string  // "shell", or the tipsy file's path
	Seed   *uint64 // the seed of generated bodies; nil for a file
	save   func(path string, b nbody.Bodies) error
}

// GenerateShell makes the sample's shell of n bodies from seed, with the
// first preset's scales for n, as a run's initial bodies: written back as
// standard tipsy.
func GenerateShell(n int, seed uint64) (Initial, error) {
	b, err := nbody.Generate(nbody.Shell, n, nbody.DefaultParams(n), seed)
	if err != nil {
		return Initial{}, err
	}
	return Initial{Bodies: b, Source: nbody.Shell.String(), Seed: &seed, save: writeGenerated}, nil
}

// ReadTipsy reads a tipsy file in format f. Bodies written back keep every
// other field of the file's records (ids, metals, ...) and its format.
func ReadTipsy(path string, f tipsy.Format) (Initial, error) {
	snap, err := tipsy.ReadFile(path, f)
	if err != nil {
		return Initial{}, err
	}
	save := func(out string, b nbody.Bodies) error {
		if err := snap.SetBodies(b); err != nil {
			return fmt.Errorf("tipsy file %s: cannot write snapshot: %w", pathname.Show(out), err)
		}
		return tipsy.WriteFile(out, snap)
	}
	return Initial{Bodies: snap.Bodies(), Source: path, save: save}, nil
}

// Save writes b, the bodies after a run, to path as a tipsy snapshot: in
// the file's format for bodies read from one, else as standard tipsy with
// one dark-matter record per body.
func (i Initial) Save(path string, b nbody.Bodies) error {
	save := i.save
	if save == nil {
		save = writeGenerated
	}
	return save(path, b)
}

// writeGenerated writes bodies as a standard tipsy snapshot.
func writeGenerated(path string, b nbody.Bodies) error {
	snap, err := tipsy.FromBodies(b)
	if err != nil {
		return fmt.Errorf("tipsy file %s: cannot write snapshot: %w", pathname.Show(path), err)
	}
	return tipsy.WriteFile(path, snap)
}
