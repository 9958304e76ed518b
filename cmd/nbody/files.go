package main

import (
	"io"
	"os"

	"github.com/nbody-go/nbody/internal/cli"
	"github.com/nbody-go/nbody/internal/pathname"
)

// namedFile is a file the command line names, as checkFiles compares it.
type namedFile struct {
	flag string // "-tipsy", or "standard output"
	path string // as given; "" for standard output
	id   cli.FileID
}

// checkFiles refuses a command line on which two of -tipsy, -output,
// -render, -termination-log and standard output are one file: compared as
// files (device and inode, or for a file not there yet its folder and
// name), not as strings, so that ./x.gif and x.gif, /dev/stdout and the
// file it was redirected to, or two hard links are caught before anything
// runs. One would overwrite the other, or a picture the input.
//
// Standard output counts where it keeps what is written (a file or a
// pipe, not a terminal) and the program writes after the file would be:
// -json's object, the line that follows a -render, a validation's
// report. -output=/dev/stdout without -json writes the snapshot after the
// whole text report, as documented, and stays allowed.
func (o *options) checkFiles(stdout io.Writer) error {
	var files []namedFile
	add := func(flag, path string) {
		if path == "" {
			return
		}
		if id, ok := cli.IDOf(path); ok && id.Keeps() {
			files = append(files, namedFile{flag, path, id})
		}
	}
	add("-tipsy", o.tipsy)
	add("-output", o.output)
	add("-render", o.render)
	add("-termination-log", o.terminationLog)
	var out *namedFile
	if f, ok := stdout.(*os.File); ok && o.place.Rank == 0 {
		if id, ok := cli.IDOfFile(f); ok && id.Keeps() {
			out = &namedFile{"standard output", "", id}
		}
	}
	for i, a := range files {
		for _, b := range files[i+1:] {
			if a.id.Same(b.id) {
				if a.flag == "-output" && b.flag == "-render" {
					return usagef("Error: -output and -render cannot write the same file (%s)", pathname.Show(b.path))
				}
				return usagef("Error: %s and %s name the same file (%s): give each its own", a.flag, b.flag, pathname.Show(b.path))
			}
		}
		if out == nil || !a.id.Same(out.id) || (a.flag == "-output" && !o.json) {
			continue
		}
		what := "the report"
		if o.json {
			what = "-json's object"
		}
		return usagef("Error: %s=%s is the file standard output writes %s to: give it another name", a.flag, pathname.Show(a.path), what)
	}
	return nil
}
