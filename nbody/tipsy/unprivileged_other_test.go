//go:build !linux

package tipsy

import "testing"

// rerunUnprivileged reruns a test as another user on Linux only; here the
// test runs in place.
func rerunUnprivileged(t *testing.T) bool { return false }
