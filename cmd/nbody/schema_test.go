package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
	"github.com/nbody-go/nbody/nbody/validate/expect"
)

// The schemas of -json, kept in docs/: validate.schema.json for
// -alldevices, run.schema.json for every other mode.
const (
	runSchema      = "run.schema.json"
	validateSchema = "validate.schema.json"
)

// compiledSchemas are the two schemas, compiled once by a complete JSON
// Schema (draft 2020-12) validator.
var compiledSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{runSchema, validateSchema} {
		s, err := c.Compile(filepath.Join("..", "..", "docs", name))
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
})

// schemaFor names the schema a document answers to: by its mode.
func schemaFor(t *testing.T, doc []byte) string {
	t.Helper()
	var head struct {
		Mode string `json:"mode"`
	}
	require.NoError(t, json.Unmarshal(doc, &head), "%s", doc)
	if head.Mode == "validate" {
		return validateSchema
	}
	return runSchema
}

// schemaError holds doc to the named schema and returns why it fails, or
// nil.
func schemaError(t *testing.T, name string, doc []byte) error {
	t.Helper()
	schemas, err := compiledSchemas()
	require.NoError(t, err, "compiling docs/%s", name)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	require.NoError(t, err, "%s", doc)
	return schemas[name].Validate(v)
}

// checkSchema holds doc, one JSON object, to the schema of its mode.
func checkSchema(t *testing.T, doc []byte) {
	t.Helper()
	name := schemaFor(t, doc)
	assert.NoError(t, schemaError(t, name, doc), "docs/%s:\n%s", name, doc)
}

// Every document the command prints without a GPU, run as a user runs it:
// the benchmark, the comparison, both with the energy, the interactive
// mode with -render, the tipsy snapshot's name, each kind of failure, and
// the validation's, refused or without a GPU. Each holds to its schema,
// and a run on the CPU reports no GPU settings.
func TestEveryPrintedDocumentHoldsToItsSchema(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		exit int // -1: depends on whether there is a GPU
		code string
	}{
		{"CPU benchmark", []string{"-benchmark", "-cpu", "-numbodies=64", "-i=1"}, 0, ""},
		{"benchmark and compare, GPU or fallback", []string{"-benchmark", "-compare", "-numbodies=200", "-i=3", "-seed=7"}, 0, ""},
		{"compare with energy", []string{"-compare", "-cpu", "-numbodies=256", "-compare-steps=2", "-energy"}, 0, ""},
		{"interactive with render and energy", []string{"-cpu", "-numbodies=100", "-render=" + filepath.Join(dir, "end.png"), "-frames=2", "-every=3", "-energy"}, 0, ""},
		{"snapshot written", []string{"-benchmark", "-cpu", "-numbodies=64", "-i=1", "-output=" + filepath.Join(dir, "out.bin")}, 0, ""},
		{"tipsy input", []string{"-benchmark", "-cpu", "-i=1", "-tipsy=" + filepath.Join(dir, "out.bin")}, 0, ""},
		{"usage error", []string{"-benchmark", "-numbodies=0x10"}, 2, "usage"},
		{"usage error, unknown flag", []string{"-benchmark", "-cpu", "-nosuchflag"}, 2, "usage"},
		{"run error", []string{"-benchmark", "-cpu", "-tipsy=/nonexistent.bin"}, 1, "error"},
		{"GPU asked for", []string{"-benchmark", "-gpu", "-numbodies=64", "-i=1"}, -1, ""},
		{"validation refused", []string{"-alldevices", "-numbodys=1"}, 2, "usage"},
		{"validation refused, bad value", []string{"-alldevices", "-duration=-1s"}, 2, "usage"},
		{"validation without a GPU", []string{"-benchmark", "-alldevices"}, -1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runNbody(t, append(c.args, "-json")...)
			if c.exit >= 0 {
				require.Equal(t, c.exit, r.code, "stderr: %s", r.stderr)
			}
			checkSchema(t, []byte(r.stdout))
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
			if c.code != "" {
				require.IsType(t, map[string]any{}, doc["error"], "%s", r.stdout)
				assert.Equal(t, c.code, doc["error"].(map[string]any)["code"])
			}
			if doc["platform"] == "cpu" {
				assert.NotContains(t, doc, "block_size", "a CPU run has no block size")
				assert.NotContains(t, doc, "hostmem", "nor host memory")
			}
			if c.exit == -1 && gpuAbsent() {
				assert.Equal(t, 1, r.code)
				assert.Equal(t, "no_gpu", doc["error"].(map[string]any)["code"], "%s", r.stdout)
			}
		})
	}
}

// Documents only a GPU machine prints, built from the command's own types:
// a run on two GPUs, and a comparison that failed with NaN figures.
func TestGPUAndFailedCompareDocumentsHoldToTheSchema(t *testing.T) {
	blockSize, hostMem := 128, true
	seed := uint64(7)
	startup := 381.4
	end := modes.EndState{Steps: 10, DT: 0.016}
	gpuRun := jsonReport{Mode: "benchmark", Platform: "gpu", Integrator: "GPU (2 devices, float32)",
		Devices:  []gpu.Device{{Name: "NVIDIA H200", Major: 9, Multiprocessors: 132, TotalMemory: 150 << 30}, {Ordinal: 1, Name: "NVIDIA H200", Major: 9, Multiprocessors: 132}},
		Exchange: "peer (NVLink/PCIe peer copies)", KernelImage: "sm_90", Precision: "single", Bodies: 135168, Source: "shell", Seed: &seed,
		BlockSize: &blockSize, HostMem: &hostMem, StartupMs: &startup,
		Benchmark: &modes.BenchmarkResult{Figures: modes.Throughput(135168, 10, 60*time.Millisecond, nbody.Single), End: end}}
	doc, err := json.Marshal(gpuRun)
	require.NoError(t, err)
	checkSchema(t, doc)

	failed := modes.Comparison{Steps: 10, DT: 0.001, Compared: "GPU (float32)", Reference: "CPU reference (float64)",
		Positions: nbody.PositionComparison{Values: 16, Tolerance: 5e-4, More: 2, MaxRelError: math.NaN(), RMSRelError: math.Inf(1),
			Mismatches: []nbody.Mismatch{{Index: 5, Host: 1, Device: math.NaN()}}},
		Acceleration: nbody.AccelerationCheck{Error: math.NaN(), Bound: 2e-5}}
	require.False(t, failed.Passed())
	doc, err = json.Marshal(jsonReport{Mode: "compare", Platform: "gpu", Precision: "single", BlockSize: &blockSize, HostMem: new(bool),
		Compare: &failed, ExitStatus: 1, Error: &jsonError{"comparison_failed", "the comparison with the float64 reference failed"}})
	require.NoError(t, err)
	checkSchema(t, doc)
}

// The schemas refuse what the program must not print: they are no
// rubber stamp.
func TestSchemasRefuseWrongDocuments(t *testing.T) {
	for _, c := range []struct{ why, schema, doc string }{
		{"a CPU run with the GPU's block size", runSchema,
			`{"mode": "benchmark", "platform": "cpu", "precision": "single", "block_size": 256, "exit_status": 0}`},
		{"a CPU run with host memory", runSchema,
			`{"mode": "benchmark", "platform": "cpu", "precision": "single", "hostmem": false, "exit_status": 0}`},
		{"a run without its precision", runSchema, `{"mode": "benchmark", "platform": "cpu", "exit_status": 0}`},
		{"a field the schema does not know", runSchema,
			`{"mode": "benchmark", "precision": "single", "exit_status": 0, "speed": 1}`},
		{"a refusal that claims run figures", runSchema,
			`{"mode": "benchmark", "precision": "single", "error": {"code": "usage", "message": "x"}, "exit_status": 2}`},
		{"a failure with exit status 0", runSchema,
			`{"mode": "benchmark", "precision": "single", "error": {"code": "error", "message": "x"}, "exit_status": 0}`},
		{"an error code of another document", runSchema,
			`{"mode": "benchmark", "precision": "single", "error": {"code": "validation_failed", "message": "x"}, "exit_status": 1}`},
		{"a validation without its block size", validateSchema,
			`{"mode": "validate", "precision": "single", "error": {"code": "no_gpu", "message": "x"}, "exit_status": 1}`},
		{"a passed validation without the validation", validateSchema,
			`{"mode": "validate", "precision": "single", "block_size": 256, "exit_status": 0}`},
		{"a refused validation that is not refused", validateSchema,
			`{"mode": "validate", "error": {"code": "usage", "message": "x"}, "exit_status": 1}`},
	} {
		assert.Error(t, schemaError(t, c.schema, []byte(c.doc)), c.why)
	}
	// And what a refused command line prints holds to both.
	refused := `{"mode": "benchmark", "error": {"code": "usage", "message": "x"}, "exit_status": 2}`
	assert.NoError(t, schemaError(t, runSchema, []byte(refused)))
	refused = `{"mode": "validate", "error": {"code": "usage", "message": "x"}, "exit_status": 2}`
	assert.NoError(t, schemaError(t, validateSchema, []byte(refused)))
}

// A validation's -json, from fake GPUs, and the one a machine without a
// GPU prints, hold to the schema kept in docs/; so do real runs', kept
// as printed on the GPU machine (bench/RESULTS.md, 2026-12-07): one H100
// that passed, and the same H100 slowed by another process, which failed.
func TestValidationJSONSchema(t *testing.T) {
	clock, temp, limit, pending, mem := 1980, 40, 700.0, false, uint64(1<<30)
	during := validate.Reading{SMClockMHz: &clock, ThrottleReasons: []string{"SwPowerCap"}, PowerLimitW: &limit, DefaultPowerLimitW: &limit,
		PCIe:         &validate.PCIeLink{Gen: 4, Width: 16, MaxGen: 5, MaxWidth: 16},
		NVLink:       &validate.NVLinks{Up: []int{0}, Down: []int{1}},
		RowRemapping: &validate.RowRemapping{Pending: true}, RetiredPagesPending: &pending,
		Processes: []validate.Process{{PID: 1, Kind: "graphics", UsedMemoryBytes: &mem, Name: "init"}}}
	v := validate.Result{Bodies: 4096, Duration: time.Minute, Elapsed: time.Minute, GPUs: []validate.GPUResult{
		{Device: gpu.Device{Name: "a", UUID: [16]byte{1}}, Windows: []modes.Figures{modes.Throughput(4096, 10, time.Millisecond, nbody.Single)},
			Ratio: 1, Accuracy: 3e-7, AccuracyBound: 2e-5, Checks: 1, Passed: true,
			Before: &validate.Reading{UUID: "GPU-1", SMClockMHz: &clock, TemperatureC: &temp, ThrottleReasons: []string{}},
			During: []validate.Reading{during}, After: &during,
			Observed: validate.Observed{ClockEvents: []string{"SwPowerCap"}, LowestSMClockMHz: 1980, PCIe: during.PCIe, NVLink: during.NVLink,
				RowRemapping: during.RowRemapping, RetiredPagesPending: &pending, PowerLimitW: &limit, DefaultPowerLimitW: &limit,
				OtherProcesses: during.Processes},
			Expected: &expect.Expectation{GIps: 2129.7, Source: expect.Measured, Basis: "NVIDIA H200 (measured)"}, Share: 0.99},
		{Device: gpu.Device{Ordinal: 1, Name: "b"}, Err: fmt.Errorf("opening: boom"), Reasons: []string{"error: opening: boom"}},
	}}
	blockSize, hostMem := 256, false
	doc, err := json.Marshal(jsonReport{Mode: "validate", Precision: "single", BlockSize: &blockSize, HostMem: &hostMem, Validation: &v, ExitStatus: 1,
		Error: &jsonError{"validation_failed", "a GPU failed its validation"}})
	require.NoError(t, err)
	checkSchema(t, doc)

	tl := filepath.Join(t.TempDir(), "termination-log")
	r := runNbody(t, "-benchmark", "-alldevices", "-json", "-termination-log="+tl)
	if gpuAbsent() {
		assert.Equal(t, 1, r.code)
		checkSchema(t, []byte(r.stdout))
		got, err := os.ReadFile(tl)
		require.NoError(t, err, "Kubernetes gets a reason also when nothing could run")
		assert.Contains(t, string(got), "Validation not run: no usable CUDA GPU")
	}
	for _, name := range []string{"validate-h100.json", "validate-h100-slowed.json"} {
		real, err := os.ReadFile(filepath.Join("testdata", name))
		require.NoError(t, err)
		checkSchema(t, real)
	}
}
