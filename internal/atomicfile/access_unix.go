//go:build unix

package atomicfile

import "syscall"

// wOK is W_OK of <unistd.h>, the same on every unix.
const wOK = 2

// canWrite reports whether this process may write the existing file name,
// by its permissions and its file system, without opening it: opening a
// named pipe would wake its reader, and opening for writing shows as a
// write to anything watching the file.
func canWrite(name string) error {
	return syscall.Access(name, wOK)
}
