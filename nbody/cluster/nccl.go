package cluster

import (
	"fmt"
	"os"
)

// NCCLLibraryEnv is the variable that names NCCL's library where the
// dynamic loader does not find it: pip's nvidia-nccl packages install it
// inside Python's site-packages. Launchers pass it on to every process
// (mpirun -x NBODY_NCCL_LIBRARY), which is why it is read here.
const NCCLLibraryEnv = "NBODY_NCCL_LIBRARY"

// NCCLLibrary returns the path NBODY_NCCL_LIBRARY gives NCCL's library, or
// "" where it is unset or empty: the caller then opens nccl.LibraryName as
// the loader finds it.
func NCCLLibrary() string { return ncclLibraryFrom(os.LookupEnv) }

func ncclLibraryFrom(lookup lookupFunc) string {
	v, _ := lookup(NCCLLibraryEnv)
	return v
}

// ncclDefaults are NCCL's own settings that this program needs, each with
// its value where the user left it unset. NCCL_NVLS_ENABLE=0 turns NVLink
// multicast (NVLS) off: it must stay off on the machines this project
// runs on.
var ncclDefaults = [...]struct{ name, value string }{
	{"NCCL_NVLS_ENABLE", "0"},
}

// DefaultNCCLSettings sets, in this process's environment, each of NCCL's
// settings that this program needs and the user left unset:
// NCCL_NVLS_ENABLE=0. NCCL reads its settings with getenv(3) when it
// initializes, so call it before the first communicator, or its unique id,
// is made; os.Setenv reaches the C environment in a binary without cgo
// too, as purego forwards it to setenv(3). A value the user set is left
// alone.
func DefaultNCCLSettings() error {
	return defaultNCCLSettings(os.LookupEnv, os.Setenv)
}

func defaultNCCLSettings(lookup lookupFunc, set func(name, value string) error) error {
	for _, d := range ncclDefaults {
		if _, ok := lookup(d.name); ok {
			continue
		}
		if err := set(d.name, d.value); err != nil {
			return fmt.Errorf("setting %s=%s: %w", d.name, d.value, err)
		}
	}
	return nil
}
