package dynlib

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenMissingLibraryNamesIt(t *testing.T) {
	_, err := Open("libnbody-no-such-library.so.7")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "libnbody-no-such-library.so.7")
}

func TestOpenLibc(t *testing.T) {
	h, err := Open("libc.so.6")
	require.NoError(t, err)
	assert.NotZero(t, h)
	Close(h)
}
