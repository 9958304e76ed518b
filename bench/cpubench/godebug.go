package main

import (
	"os"
	"runtime/debug"
	"strings"
)

// asyncPreemptOff says whether this process runs with GODEBUG
// asyncpreemptoff=1, the setting that bench/cpu-bench.sh and the Makefile
// link into GOEXPERIMENT=simd binaries (the experiment's runtime leaves the
// vector registers dirty after every preemption; bench/NOTES.md). The
// runtime reads, in order, the go command's default, the link-time default
// (which -X replaces) and the environment; the last setting wins.
func asyncPreemptOff() bool {
	var layers []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "DefaultGODEBUG":
				layers = append(layers, s.Value)
			case "-ldflags":
				if _, def, ok := strings.Cut(s.Value, "runtime.godebugDefault="); ok {
					// The value runs to the next flag; the build
					// info quotes -ldflags that hold spaces.
					def, _, _ = strings.Cut(def, " ")
					layers = append(layers, strings.Trim(def, `"'`))
				}
			}
		}
	}
	layers = append(layers, os.Getenv("GODEBUG"))
	off := false
	for _, godebug := range layers {
		for _, kv := range strings.Split(godebug, ",") {
			if k, v, ok := strings.Cut(kv, "="); ok && k == "asyncpreemptoff" {
				off = v == "1"
			}
		}
	}
	return off
}

// preemptionLabel is asyncPreemptOff for the report's header.
func preemptionLabel() string {
	if asyncPreemptOff() {
		return "asynchronous preemption off"
	}
	return "asynchronous preemption on"
}
