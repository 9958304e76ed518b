package procstart

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartFromProc(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	// A command name with a space and a parenthesis, started 124303 ticks
	// after boot, read 1250.04 s after boot: it has run 7.01 s.
	stat := "29854 (a b) c) R 29851 29851 24795 0 -1 4194304 101 0 0 0 0 0 0 0 20 0 1 0 124303 3133440 393 18446744073709551615 0\n"
	got, err := startFromProc(stat, "1250.04 889.51\n", now)
	require.NoError(t, err)
	assert.Equal(t, now.Add(-7010*time.Millisecond), got)

	for _, c := range []struct{ stat, uptime string }{
		{"29854 cat R 1 2", "1250.04 1"},            // no name in parentheses
		{"29854 (cat) R 1 2 3", "1250.04 1"},        // too few fields
		{stat, ""},                                  // no uptime
		{stat, "12.5 1"},                            // started after now
		{"1 (x) R" + strings.Repeat(" z", 20), "9"}, // starttime not a number
	} {
		_, err := startFromProc(c.stat, c.uptime, now)
		assert.Error(t, err, "%q %q", c.stat, c.uptime)
	}
}

// On Linux the process started before this package was initialised, and
// not long before.
func TestProcessStart(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here:", err)
	}
	start := Start()
	assert.False(t, start.After(started))
	assert.Less(t, time.Since(start), time.Hour, "a test process started a moment ago")
}
