package cluster

import (
	"errors"
	"os"
	"runtime"
	"testing"

	"github.com/ebitengine/purego"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNCCLLibrary(t *testing.T) {
	assert.Equal(t, "", ncclLibraryFrom(env()))
	assert.Equal(t, "/opt/nccl/lib/libnccl.so.2", ncclLibraryFrom(env(NCCLLibraryEnv, "/opt/nccl/lib/libnccl.so.2")))
}

// NVLS is switched off where the user said nothing, and a value the user
// set is left alone; a failure names the setting.
func TestDefaultNCCLSettings(t *testing.T) {
	set := map[string]string{}
	record := func(k, v string) error { set[k] = v; return nil }
	require.NoError(t, defaultNCCLSettings(env(), record))
	assert.Equal(t, map[string]string{"NCCL_NVLS_ENABLE": "0"}, set)

	clear(set)
	require.NoError(t, defaultNCCLSettings(env("NCCL_NVLS_ENABLE", "1"), record))
	assert.Empty(t, set)

	err := defaultNCCLSettings(env(), func(string, string) error { return errors.New("no room") })
	assert.EqualError(t, err, "setting NCCL_NVLS_ENABLE=0: no room")
}

// NCCL reads its settings with getenv(3), from the C environment: the
// value DefaultNCCLSettings sets must arrive there in a CGO_ENABLED=0
// binary too.
func TestNCCLSettingsReachTheCEnvironment(t *testing.T) {
	const name = "NCCL_NVLS_ENABLE"
	old, had := os.LookupEnv(name)
	require.NoError(t, os.Unsetenv(name))
	t.Cleanup(func() {
		if had {
			_ = os.Setenv(name, old)
		} else {
			_ = os.Unsetenv(name)
		}
	})
	require.NoError(t, DefaultNCCLSettings())
	assert.Equal(t, "0", os.Getenv(name))

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	libc, err := purego.Dlopen("libc.so.6", purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		t.Skipf("no libc.so.6 here: %v", err)
	}
	var getenv func(name string) string
	purego.RegisterLibFunc(&getenv, libc, "getenv")
	assert.Equal(t, "0", getenv(name), "getenv(%s) in C", name)

	t.Setenv(name, "1")
	require.NoError(t, DefaultNCCLSettings())
	assert.Equal(t, "1", os.Getenv(name), "the user's value stays")
}
