// Package procstart tells when the running process started, as the kernel
// recorded it.
//
// # Use
//
// Start-up figures measured from it include everything a user waits for:
// loading the binary and the Go runtime's start.
package procstart

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
)

// started is when this package was initialised, just before main: the
// process's start where the kernel cannot tell it.
var started = time.Now()

// Start is when the process started, as the kernel recorded it: so a
// start-up figure measured from it holds everything a user waits for, the
// loading of the binary and the Go runtime's start included. On Linux it
// comes from /proc (see startFromProc); elsewhere, or if /proc cannot be
// read, it is the package's initialisation.
func Start() time.Time {
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return started
	}
	uptime, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return started
	}
	t, err := startFromProc(string(stat), string(uptime), time.Now())
	if err != nil || t.After(started) {
		// The two clock-tick readings truncate: a start a few
		// milliseconds after our own initialisation is that rounding.
		return started
	}
	return t
}

// clockTicks is the kernel's USER_HZ, the unit of /proc's starttime: 100
// on every Linux architecture Go builds for (sysconf(_SC_CLK_TCK), which
// Go cannot call without cgo).
const clockTicks = 100

// startFromProc is the start time of the process whose /proc/PID/stat is
// stat, given /proc/uptime read at now. The stat's field 22, starttime,
// is the clock ticks from boot to the process's start, and uptime's first
// field the seconds from boot to now, on the same clock (CLOCK_BOOTTIME,
// both adjusted for a container's time namespace): their difference is how
// long the process has run, to the 10 ms of a tick. (Field 22 against
// /proc/stat's btime would give wall-clock times, but btime is in whole
// seconds.)
func startFromProc(stat, uptime string, now time.Time) (time.Time, error) {
	// Field 2, the command's name in parentheses, may hold spaces and
	// parentheses itself: the fields after it follow the last ')'.
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return time.Time{}, errors.New("/proc/self/stat: no command name")
	}
	fields := strings.Fields(stat[i+1:]) // fields 3 on
	const starttime = 22 - 3
	if len(fields) <= starttime {
		return time.Time{}, errors.New("/proc/self/stat: too few fields")
	}
	ticks, err := strconv.ParseUint(fields[starttime], 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	up := strings.Fields(uptime)
	if len(up) == 0 {
		return time.Time{}, errors.New("/proc/uptime: empty")
	}
	seconds, err := strconv.ParseFloat(up[0], 64)
	if err != nil {
		return time.Time{}, err
	}
	ran := time.Duration(seconds*float64(time.Second)) - time.Duration(ticks)*(time.Second/clockTicks)
	if ran < 0 {
		return time.Time{}, errors.New("/proc: the process started after now")
	}
	return now.Add(-ran), nil
}
