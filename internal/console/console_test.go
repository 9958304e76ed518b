package console

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBarOnlyOnLongPhases(t *testing.T) {
	var w bytes.Buffer
	p := NewBar(&w, 0)
	for done := 1; done <= 12; done++ {
		p.Steps("bench", done, 12, time.Duration(done)*time.Millisecond)
	}
	p.Done("bench")
	assert.Contains(t, w.String(), "bench", "the bar was drawn with its description")

	var quiet bytes.Buffer
	p = NewBar(&quiet, time.Hour)
	for done := 1; done <= 5; done++ {
		p.Steps("short", done, 5, time.Duration(done)*time.Millisecond)
	}
	p.Done("short")
	assert.Empty(t, quiet.String(), "no bar for a short run")
}

func TestLineInPlaceOrLines(t *testing.T) {
	text := "N-Body (1000 bodies): 40.0 steps/s | step 40"
	for _, terminal := range []bool{false, true} {
		var w bytes.Buffer
		l := NewLine(&w, terminal)
		l.Show(text)
		if terminal {
			assert.Equal(t, "\r"+text+"\x1b[K", w.String(), "rewritten in place")
		} else {
			assert.Equal(t, text+"\n", w.String(), "a line of its own")
		}
		w.Reset()
		l.Clear()
		if terminal {
			assert.Equal(t, "\r\x1b[K", w.String(), "the terminal line is cleared")
		} else {
			assert.Empty(t, w.String(), "plain lines stay")
		}
	}
	var none *Line
	none.Show("x") // nil: no panic, nothing shown
	none.Clear()
	NewLine(nil, false).Show("x")
}

func TestLineFitsANarrowTerminal(t *testing.T) {
	long := strings.Repeat("figures | ", 12) // 120 columns
	var w bytes.Buffer
	l := NewLine(&w, true)
	l.width = func() int { return 80 }
	l.Show(long)
	line := strings.TrimSuffix(strings.TrimPrefix(w.String(), "\r"), "\x1b[K")
	assert.Less(t, len([]rune(line)), 80, line)
	assert.True(t, strings.HasPrefix(long, strings.TrimSuffix(line, "…")), line)
	assert.Equal(t, "short", Fit("short", 80))
	assert.Equal(t, "long", Fit("long", 0), "width unknown: whole")
}
