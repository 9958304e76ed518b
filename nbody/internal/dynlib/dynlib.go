// Package dynlib opens shared libraries at run time (through purego, with
// cgo off) with errors that say which library and why, for the packages
// that bind the NVIDIA driver and NCCL.
package dynlib

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/ebitengine/purego"
)

// Open dlopens path with RTLD_NOW|RTLD_LOCAL and returns its handle. The
// error names the library as the dynamic loader was asked for it, followed
// by the loader's own words.
func Open(path string) (uintptr, error) {
	// dlerror's message is kept per thread: dlopen and dlerror, two calls
	// into C, must run on the same one for the message to be ours.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	handle, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_LOCAL)
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, path) {
			msg = path + ": " + msg
		}
		return 0, fmt.Errorf("%s", msg)
	}
	return handle, nil
}

// Close closes a handle from Open when the library turned out to be of no
// use; a failure to close it changes nothing for the caller.
func Close(handle uintptr) {
	_ = purego.Dlclose(handle)
}
