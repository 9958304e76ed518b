package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/nbody-go/nbody/nbody"
	"github.com/nbody-go/nbody/nbody/gpu"
	"github.com/nbody-go/nbody/nbody/modes"
	"github.com/nbody-go/nbody/nbody/validate"
)

// schemaErrors checks doc against the part of JSON Schema that
// docs/validate.schema.json uses (type, enum, required, properties, items,
// local $ref) and returns every place it does not hold.
func schemaErrors(root, schema map[string]any, doc any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		return schemaErrors(root, root["$defs"].(map[string]any)[name].(map[string]any), doc, at)
	}
	var errs []string
	if t, ok := schema["type"]; ok {
		types := []string{}
		switch t := t.(type) {
		case string:
			types = append(types, t)
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		got := jsonType(doc)
		if got == "integer" && slices.Contains(types, "number") {
			got = "number" // every integer is a number
		}
		if !slices.Contains(types, got) {
			return append(errs, fmt.Sprintf("%s: %s, want %v", at, jsonType(doc), types))
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, doc) {
		errs = append(errs, fmt.Sprintf("%s: %v is none of %v", at, doc, enum))
	}
	if obj, ok := doc.(map[string]any); ok {
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: no %q", at, r))
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, v := range obj {
			if p, ok := props[k].(map[string]any); ok {
				errs = append(errs, schemaErrors(root, p, v, at+"."+k)...)
			} else {
				errs = append(errs, fmt.Sprintf("%s.%s: not in the schema", at, k))
			}
		}
	}
	if arr, ok := doc.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, v := range arr {
				errs = append(errs, schemaErrors(root, items, v, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// jsonType is JSON Schema's name for a decoded value's type.
func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// checkSchema decodes doc and holds it to docs/validate.schema.json.
func checkSchema(t *testing.T, doc []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "validate.schema.json"))
	require.NoError(t, err)
	var schema map[string]any
	require.NoError(t, json.Unmarshal(raw, &schema))
	var v any
	require.NoError(t, json.Unmarshal(doc, &v), "%s", doc)
	assert.Empty(t, schemaErrors(schema, schema, v, "$"), "%s", doc)
}

// A validation's -json, from fake GPUs, and the one a machine without a
// GPU prints, hold to the schema kept in docs/.
func TestValidationJSONSchema(t *testing.T) {
	clock, temp := 1980, 40
	v := validate.Result{Bodies: 4096, Duration: time.Minute, Elapsed: time.Minute, GPUs: []validate.GPUResult{
		{Device: gpu.Device{Name: "a", UUID: [16]byte{1}}, Windows: []modes.Figures{modes.Throughput(4096, 10, time.Millisecond, nbody.Single)},
			Ratio: 1, Accuracy: 3e-7, AccuracyBound: 2e-5, Checks: 1, Passed: true,
			Before: &validate.Reading{UUID: "GPU-1", SMClockMHz: &clock, TemperatureC: &temp, ThrottleReasons: []string{}}},
		{Device: gpu.Device{Ordinal: 1, Name: "b"}, Err: fmt.Errorf("opening: boom"), Reasons: []string{"error: opening: boom"}},
	}}
	doc, err := json.Marshal(jsonReport{Mode: "validate", Precision: "single", BlockSize: 256, Validation: &v, ExitStatus: 1,
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
	// A real run's document, when one was kept from a GPU machine.
	if real, err := os.ReadFile(filepath.Join("testdata", "validate-h200x2.json")); err == nil {
		checkSchema(t, real)
	}
}
