package cli

import (
	"io/fs"
	"os"
	"path/filepath"
)

// FileID is the file a path names, as the system tells files apart: by
// device and inode, not by how the path is spelled, so that ./x.gif and
// x.gif, /dev/stdout and the file standard output was redirected to, or
// two hard links are one file. A path whose file does not exist yet is
// known by its folder (also compared as a file) and its base name.
type FileID struct {
	info fs.FileInfo // the file, or its folder for a file not there yet
	base string      // "" for an existing file; else the name in the folder
}

// IDOf is the file path names, following symbolic links (/dev/stdout,
// /proc/self/fd/1), and whether it could be told: a path whose file and
// folder both cannot be looked at has none, and is left for opening it to
// report.
func IDOf(path string) (FileID, bool) {
	if info, err := os.Stat(path); err == nil {
		return FileID{info: info}, true
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return FileID{}, false
	}
	return FileID{info: dir, base: filepath.Base(path)}, true
}

// IDOfFile is the file that f, an open file (standard output), is, and
// whether it could be told.
func IDOfFile(f *os.File) (FileID, bool) {
	info, err := f.Stat()
	if err != nil {
		return FileID{}, false
	}
	return FileID{info: info}, true
}

// Same reports whether a and b are one file.
func (a FileID) Same(b FileID) bool {
	if a.info == nil || b.info == nil {
		return false
	}
	return a.base == b.base && os.SameFile(a.info, b.info)
}

// Keeps reports whether what is written to the file stays to be read
// back: a regular file (or one not there yet), a named pipe or a socket,
// where two writers mix or overwrite each other's data, and not a
// terminal or /dev/null, which keep nothing.
func (a FileID) Keeps() bool {
	return a.info != nil && (a.base != "" || a.info.Mode()&fs.ModeCharDevice == 0)
}
