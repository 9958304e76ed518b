package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/tipsy"
)

// smallTipsy writes a tipsy file of n generated bodies at path.
func smallTipsy(t *testing.T, path string, n int) []byte {
	t.Helper()
	b, err := nbody.Generate(nbody.Shell, n, nbody.Presets[0], 1)
	require.NoError(t, err)
	s, err := tipsy.FromBodies(b)
	require.NoError(t, err)
	require.NoError(t, tipsy.WriteFile(path, s))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

// runIn runs the binary in dir with stdout going to the file stdout (nil:
// a pipe, kept), as a shell's > does.
func runIn(t *testing.T, dir string, stdout *os.File, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdout != nil {
		cmd.Stdout = stdout
	}
	_ = cmd.Run() // the exit status is checked by the caller
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// Two names of one file are one file: spelled apart (./x.gif, //dev/stdout,
// /proc/self/fd/1, a hard link) or as the file standard output was
// redirected to, they are refused before anything runs, with one line and
// exit status 2, and no file is touched.
func TestOneFileUnderTwoNamesRefused(t *testing.T) {
	dir := t.TempDir()
	galaxy := smallTipsy(t, filepath.Join(dir, "g.gif"), 64) // a tipsy file, badly named
	require.NoError(t, os.Link(filepath.Join(dir, "g.gif"), filepath.Join(dir, "hard.bin")))
	stdoutFile := filepath.Join(dir, "j.out")

	cases := []struct {
		name   string
		args   []string
		stdout bool // stdout redirected to j.out
		want   string
	}{
		{"output is stdout's file by /proc", []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1", "-json", "-output=/proc/self/fd/1"}, true, "-output=/proc/self/fd/1 is the file standard output writes -json's object to"},
		{"output is stdout's file by name", []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1", "-json", "-output=j.out"}, true, "-output=j.out is the file"},
		{"output is //dev/stdout", []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1", "-json", "-output=//dev/stdout"}, true, "-output=//dev/stdout is the file"},
		{"output is /dev/./stdout, a pipe", []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1", "-json", "-output=/dev/./stdout"}, false, "-output=/dev/./stdout is the file"},
		{"render and output spelled apart", []string{"-cpu", "-render=./x.gif", "-output=x.gif", "-frames=2"}, false, "Error: -output and -render cannot write the same file (./x.gif)"},
		{"png spelled apart", []string{"-cpu", "-render=r.png", "-output=./r.png", "-frames=2"}, false, "Error: -output and -render cannot write the same file"},
		{"render over the input", []string{"-cpu", "-tipsy=g.gif", "-render=g.gif", "-frames=1"}, false, "Error: -tipsy and -render name the same file (g.gif)"},
		{"render over a hard link of the input", []string{"-cpu", "-tipsy=hard.bin", "-render=" + filepath.Join(dir, "g.gif"), "-frames=1"}, false, "Error: -tipsy and -render name the same file"},
		{"output over the input", []string{"-cpu", "-benchmark", "-i=1", "-tipsy=./g.gif", "-output=g.gif"}, false, "Error: -tipsy and -output name the same file"},
		{"render to stdout's file", []string{"-cpu", "-render=j.gif", "-frames=1"}, true, "-render=j.gif is the file standard output writes the report to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out *os.File
			if c.stdout {
				name := stdoutFile
				if strings.Contains(strings.Join(c.args, " "), "j.gif") {
					name = filepath.Join(dir, "j.gif")
				}
				f, err := os.Create(name)
				require.NoError(t, err)
				defer f.Close()
				out = f
			}
			r := runIn(t, dir, out, c.args...)
			assert.Equal(t, 2, r.code, "stderr: %q", r.stderr)
			lines := r.stderrLines()
			require.Len(t, lines, 1, "one line: %q", r.stderr)
			assert.Contains(t, lines[0], c.want)
			if out != nil {
				got, err := os.ReadFile(out.Name())
				require.NoError(t, err)
				assert.NotContains(t, string(got), "bodies, total time", "nothing ran")
			} else {
				assert.NotContains(t, r.stdout, "bodies, total time", "nothing ran")
			}
			data, err := os.ReadFile(filepath.Join(dir, "g.gif"))
			require.NoError(t, err)
			assert.Equal(t, galaxy, data, "the input is as it was")
			_, err = os.Stat(filepath.Join(dir, "x.gif"))
			assert.True(t, os.IsNotExist(err), "no file written")
		})
	}
}

// What stays allowed: the snapshot after the text report on standard
// output (documented), two files that are only alike in name, and
// /dev/null twice.
func TestFilesThatAreNotOneFileRun(t *testing.T) {
	dir := t.TempDir()
	smallTipsy(t, filepath.Join(dir, "in.bin"), 64)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	f, err := os.Create(filepath.Join(dir, "j.out"))
	require.NoError(t, err)
	defer f.Close()
	r := runIn(t, dir, f, "-cpu", "-benchmark", "-numbodies=64", "-i=1", "-output=j.out")
	assert.Equal(t, 0, r.code, "the snapshot follows the text report: stderr %q", r.stderr)

	r = runIn(t, dir, nil, "-cpu", "-render=x.gif", "-output=sub/x.gif", "-frames=1", "-numbodies=64")
	assert.Equal(t, 0, r.code, "one name in two folders: stderr %q", r.stderr)

	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	r = runIn(t, dir, null, "-cpu", "-benchmark", "-tipsy=in.bin", "-i=1", "-json", "-output="+os.DevNull)
	assert.Equal(t, 0, r.code, "/dev/null keeps nothing to overwrite: stderr %q", r.stderr)
}

// A tipsy file on standard input is read as before.
func TestTipsyOnStdin(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.bin")
	smallTipsy(t, path, 64)
	in, err := os.Open(path)
	require.NoError(t, err)
	defer in.Close()
	cmd := exec.Command(binary, "-cpu", "-benchmark", "-i=1", "-tipsy=/dev/stdin")
	cmd.Stdin = in
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Contains(t, string(out), "64 bodies, total time for 1 iterations")
}

// -help and -h that cannot be written fail, as a report does.
func TestUnwritableHelpFails(t *testing.T) {
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here:", err)
	}
	defer full.Close()
	for _, flag := range []string{"-help", "-h"} {
		r := runIn(t, t.TempDir(), full, flag)
		assert.Equal(t, 1, r.code, flag)
		assert.Equal(t, []string{"Error: writing the help to standard output: no space left on device"}, r.stderrLines(), flag)
	}
}

// A refusal names the flags given, not every flag it could have been.
func TestRefusalNamesTheFlagGiven(t *testing.T) {
	for args, want := range map[string]string{
		"-every=5 -benchmark":           "Error: -every needs -render=<file.gif> or -render=<file.png>",
		"-frames=5 -benchmark":          "Error: -frames needs -render=<file.gif> or -render=<file.png>",
		"-frames=5 -every=2":            "Error: -frames and -every need -render=<file.gif> or -render=<file.png>",
		"-min-gips=3 -benchmark":        "Error: -min-gips needs -alldevices",
		"-duration=5s -slow-ratio=0.5":  "Error: -duration and -slow-ratio need -alldevices",
		"-termination-log=x -benchmark": "Error: -termination-log needs -alldevices",
	} {
		r := runNbody(t, strings.Fields(args)...)
		assert.Equal(t, 2, r.code, args)
		assert.Equal(t, []string{want}, r.stderrLines(), args)
	}
}

// The last -json wins, as with every boolean flag: a refused command line
// with -json -json=false prints no JSON.
func TestLastJSONWins(t *testing.T) {
	r := runNbody(t, "-json", "-json=false", "-every=5", "-benchmark")
	assert.Equal(t, 2, r.code)
	assert.Empty(t, r.stdout, "no JSON")
	r = runNbody(t, "-json=false", "-json", "-every=5", "-benchmark")
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stdout, `"code": "usage"`)
}

// A launcher's environment fills in only what the mode can use: a run in
// one process ignores it with one line; -ranks written with such a run is
// still refused.
func TestLauncherEnvironmentIgnoredWhereNoRanksAreTaken(t *testing.T) {
	slurm := []string{"SLURM_NTASKS=4", "SLURM_PROCID=1", "SLURM_STEP_NUM_TASKS=4", "SLURM_JOB_NODELIST=node[1-4]", "SLURM_LOCALID=1"}
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{slurm, []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1"}, "> Ignoring the Slurm job step's 4 tasks: -cpu runs in one process"},
		{[]string{"JOB_COMPLETION_INDEX=0"}, []string{"-cpu", "-benchmark", "-numbodies=64", "-i=1"}, "> Ignoring the Kubernetes Indexed Job's completion index 0: -cpu runs in one process"},
		{[]string{"RANK=2", "WORLD_SIZE=8"}, []string{"-numbodies=64", "-i=1", "-cpu"}, "> Ignoring torchrun's 8 processes: -cpu runs in one process"},
	} {
		cmd := exec.Command(binary, c.args...)
		cmd.Env = append(os.Environ(), c.env...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		require.NoError(t, cmd.Run(), "%v %v: stderr %q", c.env, c.args, errb.String())
		assert.Equal(t, c.want, strings.Split(errb.String(), "\n")[0], "%v %v", c.env, c.args)
	}

	// -alldevices under srun validates the cluster: validatecluster_test.go.

	// -ranks written by the user with -cpu stays an error.
	cmd := exec.Command(binary, "-cpu", "-benchmark", "-ranks=2", "-rank=0", "-coordinator=127.0.0.1:29555")
	cmd.Env = append(os.Environ(), slurm...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	_ = cmd.Run() // the exit status is checked below
	assert.Equal(t, 2, cmd.ProcessState.ExitCode())
	assert.Contains(t, errb.String(), "several processes (-ranks)")
}

// A -termination-log that cannot be written is found before the
// validation, which may take many minutes, and named by its flag.
func TestTerminationLogCheckedBeforeTheValidation(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone", "log")
	r := runNbody(t, "-alldevices", "-termination-log="+missing)
	assert.Equal(t, 1, r.code)
	assert.Equal(t, []string{"Error: -termination-log: open " + missing + ": no such file or directory"}, r.stderrLines())
	assert.Empty(t, r.stdout, "nothing ran: not even the banner")
}
