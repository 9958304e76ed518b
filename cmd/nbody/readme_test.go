package main

import (
	"debug/elf"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// docPages are the README and the pages under docs/, paths from this
// package's folder.
func docPages(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages, "docs/*.md")
	return append([]string{filepath.Join("..", "..", "README.md")}, pages...)
}

// Every command line the README and docs/ show is one the program accepts:
// a page that drifts from the flags fails here, not for a newcomer.
func TestREADMECommandLinesParse(t *testing.T) {
	// `nbody -…` in text and code, up to a backquote, a comment or the line's end.
	re := regexp.MustCompile("(?m)(?:^|[ `])(?:bin/)?nbody((?: +-[^ `#\\n]+)+)")
	seen := map[string]int{}
	for _, page := range docPages(t) {
		raw, err := os.ReadFile(page)
		require.NoError(t, err)
		name := strings.TrimPrefix(filepath.ToSlash(page), "../../")
		// A shell line continued with a backslash is one command line.
		text := strings.ReplaceAll(string(raw), "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			if strings.Contains(line, "srun ") || strings.Contains(line, "mpirun ") || strings.Contains(line, "torchrun ") {
				continue // these launchers give the process its place through the environment
			}
			m := re.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			args := strings.Fields(m[1])
			_, err := parseFlags(args)
			assert.NoError(t, err, "%s: nbody %s", name, m[1])
			seen[name]++
		}
	}
	assert.Greater(t, seen["README.md"], 10, "the README's command lines were found")
	assert.Greater(t, seen["docs/container.md"]+seen["docs/view.md"]+seen["docs/multiprocess.md"], 10,
		"the command lines of docs/ were found")
}

// markdownLink is a link or an image in markdown: [text](target).
var markdownLink = regexp.MustCompile(`\]\(([^()\s]+)\)`)

// headingAnchor is the anchor GitHub gives a heading: lower case, letters,
// digits, hyphens and underscores kept, spaces made hyphens, the rest
// dropped.
func headingAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// anchors are the headings' anchors of a markdown page, outside code
// blocks; a heading met again gets -1, -2, … as on GitHub.
func anchors(text string) map[string]bool {
	out := map[string]bool{}
	count := map[string]int{}
	for _, line := range proseLines(text) {
		trimmed := strings.TrimLeft(line, "#")
		if len(trimmed) == len(line) || !strings.HasPrefix(trimmed, " ") {
			continue
		}
		a := headingAnchor(strings.ReplaceAll(trimmed, "`", ""))
		if n := count[a]; n > 0 {
			out[a+"-"+strconv.Itoa(n)] = true
		} else {
			out[a] = true
		}
		count[a]++
	}
	return out
}

// proseLines are a page's lines outside fenced code blocks.
func proseLines(text string) []string {
	var out []string
	fenced := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, line)
		}
	}
	return out
}

// Every relative link of the README and docs/ leads to a file of the
// repository, and a link to a heading to one that exists: text moved
// between pages keeps its links working.
func TestDocLinksResolve(t *testing.T) {
	checked := 0
	for _, page := range docPages(t) {
		raw, err := os.ReadFile(page)
		require.NoError(t, err)
		name := strings.TrimPrefix(filepath.ToSlash(page), "../../")
		for _, line := range proseLines(string(raw)) {
			for _, m := range markdownLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				file, anchor, _ := strings.Cut(target, "#")
				path := page
				if file != "" {
					path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
					_, err := os.Stat(path)
					if !assert.NoError(t, err, "%s: the link %s leads to no file", name, target) {
						continue
					}
				}
				if anchor != "" {
					text, err := os.ReadFile(path)
					require.NoError(t, err)
					assert.True(t, anchors(string(text))[anchor], "%s: the link %s leads to no heading of %s", name, target, path)
				}
				checked++
			}
		}
	}
	assert.Greater(t, checked, 20, "the pages' links were found")
}

func TestHeadingAnchor(t *testing.T) {
	assert.Equal(t, "-tipsy-and--output-tipsy-files", headingAnchor("-tipsy and -output: tipsy files"))
	assert.Equal(t, "differences-from-the-sample-on-purpose", headingAnchor("Differences from the sample (on purpose)"))
	got := anchors("# A\n```\n# B\n```\n## A\n")
	assert.Equal(t, map[string]bool{"a": true, "a-1": true}, got, "code is no heading; a heading met again gets -1")
}

// The README says what the binary is: built without cgo, yet linked
// dynamically against the C library alone (purego opens libcuda.so.1 with
// the loader's dlopen). This test's binary is linked as bin/nbody is.
func TestREADMESaysHowTheBinaryIsLinked(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the README's claim is about the Linux binary")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	f, err := elf.Open(exe)
	require.NoError(t, err)
	defer f.Close()
	interp := false
	for _, p := range f.Progs {
		interp = interp || p.Type == elf.PT_INTERP
	}
	assert.True(t, interp, "the binary names a dynamic loader")
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	assert.NotEmpty(t, libs, "linked dynamically: `file` says so")
	for _, lib := range libs {
		assert.Contains(t, []string{"libc.so.6", "libdl.so.2", "libpthread.so.0"}, lib,
			"the binary needs only the C library; it opens CUDA at run time")
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	readme := string(raw)
	assert.NotContains(t, strings.ToLower(readme), "static binary")
	assert.Contains(t, readme, `"dynamically linked"`)
	for _, lib := range libs {
		assert.Contains(t, readme, "`"+lib+"`", "the README names what the binary links")
	}
}

// docs/flags.md's tables give every flag the program takes, so that what
// -help lists is never missing from the page that explains it.
func TestEveryFlagIsInTheFlagsPage(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "flags.md"))
	require.NoError(t, err)
	var o options
	fs := newFlagSet(&o)
	n := 0
	fs.VisitAll(func(f *flag.Flag) {
		n++
		row := regexp.MustCompile("(?m)^\\| [^|]*`-" + regexp.QuoteMeta(f.Name) + "[`=]")
		assert.True(t, row.MatchString(string(raw)), "docs/flags.md has no table row for -%s", f.Name)
	})
	assert.Greater(t, n, 30, "the flags were found")
}
