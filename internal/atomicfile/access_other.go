//go:build !unix

package atomicfile

import "os"

// canWrite reports whether this process may write the existing file name,
// by opening it for writing (without truncating it) and closing it again.
func canWrite(name string) error {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return Cause(err)
	}
	return Cause(f.Close())
}
