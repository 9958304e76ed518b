package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every command line the README shows is one the program accepts: a
// README that drifts from the flags fails here, not for a newcomer.
func TestREADMECommandLinesParse(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	// `nbody -…` in text and code, up to a backquote, a comment or the line's end.
	re := regexp.MustCompile("(?m)(?:^|[ `])(?:bin/)?nbody((?: +-[^ `#\\n]+)+)")
	seen := 0
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
		assert.NoError(t, err, "README: nbody %s", m[1])
		seen++
	}
	assert.Greater(t, seen, 20, "the README's command lines were found")
}
