// Package atomicfile writes a file so that an earlier file at its path is
// replaced only once the new one is whole.
//
// # How
//
// The new file is written to a temporary file beside it
// (.NAME.RANDOM.tmp), synced to disk, renamed over the path, and the
// folder synced. A failure at any point (a full
// disk, say) leaves the earlier file as it was and removes the temporary
// file; a program killed while writing leaves the earlier file too, and
// the temporary file beside it. The new file gets the earlier file's
// permissions, or for a new name those of os.Create (0666 less the umask).
//
// A symbolic link is followed: the file it names is replaced and the link
// kept. Refused: a folder, a missing folder or one that takes no new file,
// a file we may not write, and a read-only file (no write permission for
// anyone), although renaming over it would succeed: its mode says not to
// replace it.
//
// What cannot be renamed over is written in place: a device such as
// /dev/null, a named pipe, and a regular file that is this process's
// standard output or error (/dev/stdout redirected to a file), which
// replacing would leave the program writing to a deleted file. A named
// pipe must have a reader when it is written: it is refused at once
// rather than waited on.
//
// # Ending the program
//
// A program that stops for a signal calls AbortAll: every temporary file
// of the process is removed at once, and no file is replaced or begun
// after it, so that neither a write under way nor one about to start
// leaves a .NAME.RANDOM.tmp behind or replaces a file after the program
// said it would not.
//
// The errors name no path (the temporary file's least of all): the caller
// names the file once, as its user gave it.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
)

// errAborted is a file begun or committed after AbortAll.
var errAborted = errors.New("not written: the program is stopping")

// registry is every temporary file of the process that is neither renamed
// nor removed yet, for AbortAll.
type registry struct {
	mu      sync.Mutex
	files   map[*Pending]bool
	aborted bool
}

// pending is the process's registry.
var pending registry

// AbortAll removes every temporary file this process has begun and not
// yet put in its place, and makes every later Begin and Commit fail,
// leaving the files at their paths as they were: for a program that is
// stopping, before it exits. A Commit under way either has renamed its
// file already or never will.
func AbortAll() { pending.abortAll() }

func (r *registry) abortAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.aborted = true
	for p := range r.files {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
	}
	r.files = nil
}

// stopped reports whether AbortAll has been called.
func (r *registry) stopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.aborted
}

// add registers p's temporary file, or fails after AbortAll.
func (r *registry) add(p *Pending) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.aborted {
		return errAborted
	}
	if r.files == nil {
		r.files = map[*Pending]bool{}
	}
	r.files[p] = true
	return nil
}

// done runs finish (the rename, or the removal) with p still registered,
// unless AbortAll has removed its file already, and then forgets p.
func (r *registry) done(p *Pending, finish func() error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.files[p] {
		return errAborted
	}
	delete(r.files, p)
	return finish()
}

// WriteFile writes the file at path as the package says, with write
// filling it.
func WriteFile(path string, write func(io.Writer) error) error {
	p, err := Begin(path)
	if err != nil {
		return err
	}
	return p.Commit(write)
}

// Check reports whether WriteFile could write path, without writing or
// replacing anything, so that a program can refuse an output path before
// a long run rather than after it. It refuses what WriteFile refuses, and
// tries what WriteFile would do first: it creates the temporary file
// beside path and removes it again. A file written in place is not
// opened, only its permissions checked: a pipe's reader would take our
// open and close for the end of its data. A named pipe with no reader
// passes, since one may come before the write.
func Check(path string) error {
	t, err := resolve(path)
	if err != nil || t.inPlace {
		return err
	}
	tmp, err := createTemp(t.name, 0o600)
	if err != nil {
		return err
	}
	tmp.Close()
	if err := os.Remove(tmp.Name()); err != nil {
		return fmt.Errorf("removing the trial file %s: %w", tmp.Name(), Cause(err))
	}
	return nil
}

// Pending is a file begun but not yet written: for one that is replaced,
// its temporary file exists already, so that a folder that takes no new
// file fails at Begin, before the work whose result it is to hold.
type Pending struct {
	t    target
	reg  *registry   // where tmp is registered
	tmp  *os.File    // the temporary file; nil for a file written in place
	perm fs.FileMode // the mode the file gets
	done bool        // committed or aborted
}

// Begin checks path as WriteFile does and, for a file that is replaced,
// creates its temporary file. Commit writes it, or Abort gives it up.
func Begin(path string) (*Pending, error) { return pending.begin(path) }

func (r *registry) begin(path string) (*Pending, error) {
	t, err := resolve(path)
	if err != nil {
		return nil, err
	}
	p := &Pending{t: t, reg: r, perm: 0o666} // os.Create's, which the umask reduces
	if t.inPlace {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.aborted {
			return nil, errAborted
		}
		return p, nil
	}
	if t.info != nil {
		p.perm = t.info.Mode().Perm()
	}
	if p.tmp, err = createTemp(t.name, p.perm); err != nil {
		return nil, err
	}
	if err := r.add(p); err != nil {
		p.tmp.Close()
		os.Remove(p.tmp.Name())
		return nil, err
	}
	return p, nil
}

// Commit fills the file with write and puts it in its place; on any error
// the temporary file is removed and the earlier file left as it was.
// Commit may be called once.
func (p *Pending) Commit(write func(io.Writer) error) error {
	if p.done {
		return errors.New("already written or given up")
	}
	p.done = true
	if p.t.inPlace {
		if p.reg.stopped() {
			return errAborted
		}
		return writeInPlace(p.t, write)
	}
	if err := fill(p.tmp, p.t.info != nil, p.perm, write); err != nil {
		p.tmp.Close() // fill may have closed it already; the first error is the one to report
		return p.reg.done(p, func() error { return removing(err, p.tmp.Name()) })
	}
	err := p.reg.done(p, func() error {
		if err := os.Rename(p.tmp.Name(), p.t.name); err != nil {
			return removing(fmt.Errorf("replacing it: %w", Cause(err)), p.tmp.Name())
		}
		return nil
	})
	if err != nil {
		return err
	}
	return syncDir(filepath.Dir(p.t.name))
}

// Abort gives up a file not yet committed, removing its temporary file;
// the file at the path, if any, is never touched. It is safe to call more
// than once, after Commit, and on a nil Pending.
func (p *Pending) Abort() {
	if p == nil || p.done {
		return
	}
	p.done = true
	if p.tmp != nil {
		p.tmp.Close()
		_ = p.reg.done(p, func() error { return os.Remove(p.tmp.Name()) })
	}
}

// target is what WriteFile does with a path, as resolve decides it for
// Begin and Check.
type target struct {
	name    string      // the file to write: the path, a symbolic link followed
	info    fs.FileInfo // the file there now; nil when there is none
	inPlace bool        // written in place rather than replaced (see the package doc)
}

// resolve decides how a file is written at path, or refuses it.
func resolve(path string) (target, error) {
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return target{name: path}, nil
	}
	if err != nil {
		return target{}, Cause(err)
	}
	name := path
	if info.Mode()&fs.ModeSymlink != 0 {
		// Stat follows the link as opening it would, /proc's links to
		// pipes and deleted files (/dev/stdout) included, which have
		// no name to resolve.
		if info, err = os.Stat(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return target{}, errors.New("a symbolic link to a missing file")
			}
			return target{}, Cause(err)
		}
		if info.Mode().IsRegular() && !isStdio(info) {
			// Replace the file the link names and keep the link, as
			// writing through it does.
			if name, err = filepath.EvalSymlinks(path); err != nil {
				return target{}, Cause(err)
			}
		}
	}
	mode := info.Mode()
	switch {
	case mode.IsDir():
		return target{}, errors.New("is a directory")
	case mode.IsRegular() && mode.Perm()&0o222 == 0:
		// Root may write it, and anyone may rename over it in a folder
		// they can write; its mode still says to leave it alone.
		return target{}, fmt.Errorf("read-only (%v): %w", mode.Perm(), fs.ErrPermission)
	}
	// A file we may not write is not ours to replace either, as it was
	// not when we wrote in place.
	if err := canWrite(name); err != nil {
		return target{}, err
	}
	return target{name: name, info: info, inPlace: !mode.IsRegular() || isStdio(info)}, nil
}

// isStdio reports whether info is the file that this process's standard
// output or error writes to.
func isStdio(info fs.FileInfo) bool {
	for _, f := range []*os.File{os.Stdout, os.Stderr} {
		if f == nil {
			continue
		}
		if fi, err := f.Stat(); err == nil && os.SameFile(info, fi) {
			return true
		}
	}
	return false
}

// writeInPlace writes a file that cannot be renamed over. It opens it
// without blocking, so that a named pipe with no reader fails at once
// (ENXIO) instead of waiting for one; the os package still waits for a
// slow reader between writes. Our own output file is truncated first, as
// os.Create does.
func writeInPlace(t target, write func(io.Writer) error) error {
	flag := os.O_WRONLY | syscall.O_NONBLOCK
	if t.info.Mode().IsRegular() {
		// A regular file here is the program's own standard output or
		// error redirected to a file: what is there already (a log, the
		// report) stays, and the new data follows it.
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(t.name, flag, 0)
	if err != nil {
		if t.info.Mode()&fs.ModeNamedPipe != 0 && errors.Is(err, syscall.ENXIO) {
			return errors.New("a named pipe with no reader")
		}
		return Cause(err)
	}
	err = write(f)
	if closeErr := f.Close(); err == nil {
		err = Cause(closeErr)
	}
	return err
}

// fill writes the temporary file, gives it perm (the umask took its share
// when it was created, and an earlier file's mode is kept as it was),
// syncs it to disk and closes it. The sync comes before the rename, so
// that a crash just after it cannot leave an empty file under the name.
func fill(tmp *os.File, keepMode bool, perm fs.FileMode, write func(io.Writer) error) error {
	if keepMode {
		if err := tmp.Chmod(perm); err != nil {
			return Cause(err)
		}
	}
	if err := write(unnamed{tmp}); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return Cause(err)
	}
	return Cause(tmp.Close())
}

// unnamed is the temporary file as write sees it: its errors (a full
// disk) name no file, since the only name they could give is the hidden
// temporary one, which the user never gave; the caller names the file.
type unnamed struct{ f *os.File }

func (u unnamed) Write(p []byte) (int, error) {
	n, err := u.f.Write(p)
	if err != nil {
		err = Cause(err)
	}
	return n, err
}

// removing removes the temporary file name after err, and adds to err if
// that fails, so that no half-written file is left unmentioned.
func removing(err error, name string) error {
	if removeErr := os.Remove(name); removeErr != nil {
		return errors.Join(err, fmt.Errorf("removing the temporary file %s: %w", name, Cause(removeErr)))
	}
	return err
}

// createTemp creates a new file beside name, .NAME.RANDOM.tmp, so that one
// left behind by a killed program says what it was for. perm goes to
// os.OpenFile, and the umask applies to it.
func createTemp(name string, perm fs.FileMode) (*os.File, error) {
	dir, base := filepath.Dir(name), filepath.Base(name)
	if len(base) > 200 {
		base = base[:200] // room for the rest within a 255-byte name
	}
	for range 100 {
		tmp := filepath.Join(dir, fmt.Sprintf(".%s.%08x.tmp", base, rand.Uint32()))
		f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("creating a temporary file in %s: %w", dir, Cause(err))
		}
		return f, nil
	}
	return nil, fmt.Errorf("creating a temporary file in %s: 100 names tried, all taken", dir)
}

// syncDir makes a rename in dir durable. Windows cannot sync a folder, and
// some file systems answer EINVAL or ENOTSUP: there the rename stands as
// the system keeps it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err == nil {
		err = d.Sync()
		d.Close()
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("written, but syncing its folder %s failed: %w", dir, Cause(err))
	}
	return nil
}

// cause strips the os package's wrappers, which name a path (perhaps the
// temporary file's): fileError names the file once, as the caller gave it.
func Cause(err error) error {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	var sysErr *os.SyscallError
	switch {
	case errors.As(err, &pathErr):
		return pathErr.Err
	case errors.As(err, &linkErr):
		return linkErr.Err
	case errors.As(err, &sysErr):
		return sysErr.Err
	}
	return err
}
