package nvml

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every nvmlReturn_t of nvml.h (CUDA 13), its value and its name, as the
// header has them.
func TestReturnNames(t *testing.T) {
	want := map[int32]string{
		0:   "NVML_SUCCESS",
		1:   "NVML_ERROR_UNINITIALIZED",
		2:   "NVML_ERROR_INVALID_ARGUMENT",
		3:   "NVML_ERROR_NOT_SUPPORTED",
		4:   "NVML_ERROR_NO_PERMISSION",
		5:   "NVML_ERROR_ALREADY_INITIALIZED",
		6:   "NVML_ERROR_NOT_FOUND",
		7:   "NVML_ERROR_INSUFFICIENT_SIZE",
		8:   "NVML_ERROR_INSUFFICIENT_POWER",
		9:   "NVML_ERROR_DRIVER_NOT_LOADED",
		10:  "NVML_ERROR_TIMEOUT",
		11:  "NVML_ERROR_IRQ_ISSUE",
		12:  "NVML_ERROR_LIBRARY_NOT_FOUND",
		13:  "NVML_ERROR_FUNCTION_NOT_FOUND",
		14:  "NVML_ERROR_CORRUPTED_INFOROM",
		15:  "NVML_ERROR_GPU_IS_LOST",
		16:  "NVML_ERROR_RESET_REQUIRED",
		17:  "NVML_ERROR_OPERATING_SYSTEM",
		18:  "NVML_ERROR_LIB_RM_VERSION_MISMATCH",
		19:  "NVML_ERROR_IN_USE",
		20:  "NVML_ERROR_MEMORY",
		21:  "NVML_ERROR_NO_DATA",
		22:  "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
		23:  "NVML_ERROR_INSUFFICIENT_RESOURCES",
		24:  "NVML_ERROR_FREQ_NOT_SUPPORTED",
		25:  "NVML_ERROR_ARGUMENT_VERSION_MISMATCH",
		26:  "NVML_ERROR_DEPRECATED",
		27:  "NVML_ERROR_NOT_READY",
		28:  "NVML_ERROR_GPU_NOT_FOUND",
		29:  "NVML_ERROR_INVALID_STATE",
		30:  "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED",
		999: "NVML_ERROR_UNKNOWN",
	}
	require.Len(t, returnNames, len(want))
	for code, name := range want {
		assert.Equal(t, name, Return(code).String(), "%d", code)
		assert.Equal(t, name, Return(code).Error(), "%d", code)
	}
	// The constants are the header's names without the prefix.
	for r, name := range map[Return]string{
		Success: "NVML_SUCCESS", NotSupported: "NVML_ERROR_NOT_SUPPORTED", NotFound: "NVML_ERROR_NOT_FOUND",
		DriverNotLoaded: "NVML_ERROR_DRIVER_NOT_LOADED", GPUIsLost: "NVML_ERROR_GPU_IS_LOST",
		LibRMVersionMismatch: "NVML_ERROR_LIB_RM_VERSION_MISMATCH", VGPUECCNotSupported: "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED",
		ResetTypeNotSupported: "NVML_ERROR_RESET_TYPE_NOT_SUPPORTED", Unknown: "NVML_ERROR_UNKNOWN",
	} {
		assert.Equal(t, name, r.String())
	}
	assert.Equal(t, "nvmlReturn_t(42)", Return(42).String())
	assert.Equal(t, "nvmlReturn_t(-1)", Return(-1).String())
}

// An error names the call, the result and NVML's words for it, and
// errors.Is and errors.As find the result through any wrapping.
func TestErrorWords(t *testing.T) {
	l := newFake()
	err := fmt.Errorf("reading NVML device %s: %w", fakeUUID, l.newError("nvmlDeviceGetPowerUsage", int32(GPUIsLost)))
	assert.Equal(t, "reading NVML device "+fakeUUID+": nvmlDeviceGetPowerUsage: NVML_ERROR_GPU_IS_LOST (fake words for 15)", err.Error())
	assert.ErrorIs(t, err, GPUIsLost)
	assert.NotErrorIs(t, err, NotSupported)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "nvmlDeviceGetPowerUsage", e.Call)
	assert.Equal(t, GPUIsLost, e.Return)
	var r Return
	require.ErrorAs(t, err, &r)
	assert.Equal(t, GPUIsLost, r)

	// Without a library, the name alone.
	var none *Library
	assert.Equal(t, "nvmlDeviceGetName: NVML_ERROR_NOT_FOUND", none.newError("nvmlDeviceGetName", int32(NotFound)).Error())
	assert.Equal(t, "nvmlInit: nvmlReturn_t(1234)", none.newError("nvmlInit", 1234).Error())
	assert.NoError(t, l.check("nvmlInit", int32(Success)))

	// An older library has no words for newer results (NVML 535 says
	// "Unknown Error" of GPU_NOT_FOUND): the name alone, then.
	l.errorString = func(int32) string { return "Unknown Error" }
	assert.Equal(t, "nvmlDeviceGetCount: NVML_ERROR_GPU_NOT_FOUND", l.newError("nvmlDeviceGetCount", int32(GPUNotFound)).Error())
	assert.Equal(t, "nvmlDeviceGetCount: NVML_ERROR_UNKNOWN (Unknown Error)", l.newError("nvmlDeviceGetCount", int32(Unknown)).Error())

	assert.False(t, errors.Is(ErrNoLibrary, ErrMissingSymbol))
	assert.False(t, errors.Is(ErrClosed, ErrNoLibrary))
}
