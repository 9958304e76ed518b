package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// -min-share holds each GPU to a share of its chip's expected rate: by
// default expect.DefaultMinShare, a decimal from 0 (never) to 1, and only
// with -alldevices.
func TestMinShareFlag(t *testing.T) {
	o, err := parseFlags([]string{"-alldevices"})
	require.NoError(t, err)
	assert.Equal(t, expect.DefaultMinShare, o.minShare)
	o, err = parseFlags([]string{"-alldevices", "-min-share=0.5"})
	require.NoError(t, err)
	assert.Equal(t, 0.5, o.minShare)
	o, err = parseFlags([]string{"-alldevices", "-min-share=0"})
	require.NoError(t, err)
	assert.Zero(t, o.minShare)
	for _, bad := range [][]string{
		{"-alldevices", "-min-share=1.5"},
		{"-alldevices", "-min-share=-0.1"},
		{"-alldevices", "-min-share=0x1p-1"},
		{"-alldevices", "-min-share=NaN"},
		{"-benchmark", "-min-share=0.5"},
	} {
		_, err := parseFlags(bad)
		assert.Error(t, err, "%v", bad)
	}
}
