package cli

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnyCase(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Bool("benchmark", false, "")
	fs.Int("numbodies", 0, "")
	fs.Int("blockSize", 0, "")
	fs.String("tipsy", "", "")
	got := AnyCase(fs, []string{"-Benchmark", "--NUMBODIES=64", "-blocksize", "128", "-TIPSY=Galaxy.BIN", "-unknown", "--", "-Benchmark"})
	assert.Equal(t, []string{"-benchmark", "--numbodies=64", "-blockSize", "128", "-tipsy=Galaxy.BIN", "-unknown", "--", "-Benchmark"}, got,
		"names as defined, values and unknown names as given, nothing after --")
	assert.Equal(t, []string{"---x", "value"}, AnyCase(fs, []string{"---x", "value"}))
}

func TestDecimal(t *testing.T) {
	var n int
	var u uint64
	v := Decimal(&n, 10, 1, 100)
	assert.Equal(t, 10, n, "the default is set")
	require.NoError(t, v.Set("42"))
	assert.Equal(t, 42, n)
	assert.Equal(t, "42", v.String())
	require.NoError(t, v.Set("1000"), "the range is the caller's to enforce")
	for _, bad := range []string{"0x10", "0o17", "1_000", "1.5", "", "ten"} {
		assert.EqualError(t, v.Set(bad), "want a decimal number from 1 to 100", bad)
	}
	w := Decimal(&u, 1, 0, 1<<63)
	require.NoError(t, w.Set("18446744073709551615"))
	assert.Equal(t, uint64(18446744073709551615), u)
	assert.Error(t, w.Set("-1"))
	assert.Error(t, w.Set("18446744073709551616"))
}

func TestDecimalFloat(t *testing.T) {
	var x float64
	v := DecimalFloat(&x, 0.9, 0, 1)
	assert.Equal(t, 0.9, x)
	require.NoError(t, v.Set("0.75"))
	assert.Equal(t, 0.75, x)
	require.NoError(t, v.Set("1e-1"), "a decimal exponent is decimal")
	for _, bad := range []string{"0x1p-1", "NaN", "Inf", "-inf", "1.5", "-0.1", "", "a"} {
		assert.EqualError(t, v.Set(bad), "want a decimal number from 0 to 1", bad)
	}
}

func TestGateDropsWritesWhileClosed(t *testing.T) {
	var b strings.Builder
	g := &Gate{W: &b}
	_, _ = g.Write([]byte("before "))
	g.Close()
	n, err := g.Write([]byte("dropped "))
	assert.NoError(t, err)
	assert.Equal(t, 8, n, "reported written, so that no caller fails on it")
	g.Open()
	_, _ = g.Write([]byte("after"))
	assert.Equal(t, "before after", b.String())
}

func TestParseError(t *testing.T) {
	newSet := func() *flag.FlagSet {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var n int
		fs.Var(Decimal(&n, 1, 1, 9), "n", "")
		fs.Bool("on", false, "")
		fs.Duration("for", 0, "")
		fs.Func("addr", "", func(string) error { return errors.New("want HOST:PORT") })
		return fs
	}
	for arg, want := range map[string]string{
		"-n=0x1":    "-n=0x1: want a decimal number from 1 to 9",
		"-on=yes":   "-on=yes: want true or false, or the flag alone",
		"-for=abc":  "-for=abc: want a duration such as 90s, 10m or 1h30m",
		`-addr=a"b`: `-addr=a"b: want HOST:PORT`,
		"-nope":     "flag provided but not defined: -nope",
		"---on":     "bad flag syntax: ---on",
	} {
		fs := newSet()
		err := fs.Parse([]string{arg})
		require.Error(t, err, arg)
		assert.Equal(t, want, ParseError(fs, err), arg)
	}
}
