package pathname

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestShow(t *testing.T) {
	assert.Equal(t, "galaxy 20K.bin", Show("galaxy 20K.bin"), "spaces and the like stay")
	assert.Equal(t, "Ω/ünïcode.gif", Show("Ω/ünïcode.gif"))
	assert.Equal(t, `"a\nb.bin"`, Show("a\nb.bin"), "a newline would split the message")
	assert.Equal(t, `"x\x1b[2J.gif"`, Show("x\x1b[2J.gif"), "an escape sequence would rewrite the terminal")
	assert.Equal(t, `"\xff.bin"`, Show("\xff.bin"), "bytes that are not UTF-8")
}
