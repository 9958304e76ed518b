package tipsy

import (
	"fmt"
	"io"

	"github.com/nbody-go/nbody/internal/atomicfile"
	"github.com/nbody-go/nbody/internal/pathname"
)

// WriteFile writes s to the file at path. An earlier file there is
// replaced only once the snapshot is whole: WriteFile writes a temporary
// file beside it (.NAME.RANDOM.tmp), syncs it to disk, renames it over
// path and syncs the folder. A failure at any point (a full disk, say)
// leaves the earlier file as it was and removes the temporary file; a
// program killed while writing leaves the earlier file too, and the
// temporary file beside it. The new file gets the earlier file's
// permissions, or for a new name those of os.Create (0666 less the umask).
//
// A symbolic link is followed: the file it names is replaced and the link
// kept. Refused, as CheckWritable refuses them: a folder, a missing folder
// or one that takes no new file, a file we may not write, and a read-only
// file (no write permission for anyone), although renaming over it would
// succeed: its mode says not to replace it.
//
// What cannot be renamed over is written in place: a device such as
// /dev/null, a named pipe, and a regular file that is this process's
// standard output or error (/dev/stdout redirected to a file), which
// replacing would leave the program writing to a deleted file. A named
// pipe must have a reader already: it is refused at once rather than
// waited on.
func WriteFile(path string, s *Snapshot) error {
	if err := s.check(); err != nil {
		return fmt.Errorf("tipsy file %s: cannot write snapshot: %w", pathname.Show(path), err)
	}
	return writeFile(path, s.Write)
}

// CheckWritable reports whether WriteFile could write a snapshot at path,
// without writing or replacing anything, so that a program can refuse an
// output path before a long run rather than after it. It refuses what
// WriteFile refuses, and tries what WriteFile would do first: it creates
// the temporary file beside path and removes it again. A file written in
// place is not opened, only its permissions checked: a pipe's reader would
// take our open and close for the end of its data. A named pipe with no
// reader passes, since one may come before the write.
func CheckWritable(path string) error {
	if err := atomicfile.Check(path); err != nil {
		return fileError(path, err)
	}
	return nil
}

// writeFile writes a file as WriteFile does, with write filling it.
func writeFile(path string, write func(io.Writer) error) error {
	if err := atomicfile.WriteFile(path, write); err != nil {
		return fileError(path, err)
	}
	return nil
}
