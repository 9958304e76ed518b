package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"unsafe"
)

// Module is a loaded module (a CUmodule), with its Driver: kernels for the
// current context's device, loaded from a cubin or JIT-compiled from PTX.
// The zero Module is none.
type Module struct {
	d      *Driver
	module uintptr
}

// jitLogBytes is the size of each JIT log buffer; ptxas reports an error in
// a line or two, so this holds many.
const jitLogBytes = 16 << 10

// The cuModuleLoadDataEx options we pass (CUjit_option).
const (
	jitInfoLogBuffer          = 3
	jitInfoLogBufferSizeBytes = 4
	jitErrorLogBuffer         = 5
	jitErrorLogBufferSize     = 6
)

// JITError is a module that failed to load, with what the JIT compiler
// said about it (nothing, for a cubin).
type JITError struct {
	Err error  // the *Error of cuModuleLoadDataEx, e.g. CUDA_ERROR_INVALID_PTX or CUDA_ERROR_NO_BINARY_FOR_GPU
	Log string // the JIT error log (or, if that is empty, its info log)
}

// Error gives the driver's error and then the JIT log.
func (e *JITError) Error() string {
	if e.Log == "" {
		return "loading the module: " + e.Err.Error()
	}
	return "loading the module: " + e.Err.Error() + "; JIT log:\n" + e.Log
}

// Unwrap returns the driver's error, so that errors.Is(err, ErrInvalidPTX)
// works.
func (e *JITError) Unwrap() error { return e.Err }

// ModuleLoadData loads a module image into the current context: a cubin
// (an ELF of machine code, which must be for the device's architecture, or
// the load fails with ErrNoBinaryForGPU), or PTX source, which the driver
// JIT-compiles for the device. The driver caches what it compiles (in
// ~/.nv/ComputeCache by default, none with CUDA_CACHE_DISABLE=1), so a
// second load of the same PTX, in this process or a later one, is quick.
// On failure the error is a *JITError carrying the compiler's log.
func (d *Driver) ModuleLoadData(ptx []byte) (Module, error) {
	const call = "cuModuleLoadDataEx"
	if err := d.use(call); err != nil {
		return Module{}, err
	}
	if len(bytes.TrimSpace(bytes.TrimRight(ptx, "\x00"))) == 0 {
		return Module{}, errors.New("loading the module: the image is empty")
	}
	// The driver reads PTX as a C string (a cubin's size is in its ELF
	// header, and the NUL after it goes unread).
	image := ptx
	if ptx[len(ptx)-1] != 0 {
		image = make([]byte, len(ptx)+1)
		copy(image, ptx)
	}
	infoLog := make([]byte, jitLogBytes)
	errorLog := make([]byte, jitLogBytes)
	options := []int32{jitInfoLogBuffer, jitInfoLogBufferSizeBytes, jitErrorLogBuffer, jitErrorLogBufferSize}
	// Each option's value is a void*: the buffers' addresses, and their
	// sizes cast to pointers, which the driver overwrites with the number
	// of bytes it wrote. The buffers are pinned while the driver holds
	// their addresses in this array.
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&infoLog[0])
	pin.Pin(&errorLog[0])
	values := []uintptr{
		uintptr(unsafe.Pointer(&infoLog[0])), jitLogBytes,
		uintptr(unsafe.Pointer(&errorLog[0])), jitLogBytes,
	}
	var m uintptr
	err := d.check(call, d.cuModuleLoadDataEx(&m, &image[0], uint32(len(options)), &options[0], &values[0]))
	if err != nil {
		log := cString(errorLog, values[3])
		if log == "" {
			log = cString(infoLog, values[1])
		}
		return Module{}, &JITError{Err: err, Log: log}
	}
	return Module{d, m}, nil
}

// cString is the text the driver wrote into buf: n bytes as it reports
// them, cut at the first NUL, without trailing space.
func cString(buf []byte, n uintptr) string {
	if n < uintptr(len(buf)) {
		buf = buf[:n]
	}
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return string(bytes.TrimSpace(buf))
}

// Function returns the kernel with the given (unmangled: extern "C") name.
// A name the module lacks gives an error that errors.Is ErrNotFound.
func (m Module) Function(name string) (Function, error) {
	const call = "cuModuleGetFunction"
	d := m.d
	if err := d.use(call); err != nil {
		return Function{}, err
	}
	cname := append([]byte(name), 0)
	var f uintptr
	if err := d.check(call, d.cuModuleGetFunction(&f, m.module, &cname[0])); err != nil {
		return Function{}, fmt.Errorf("kernel %q: %w", name, err)
	}
	return Function{d, f}, nil
}

// Unload unloads the module; its functions become invalid.
func (m Module) Unload() error {
	const call = "cuModuleUnload"
	d := m.d
	if err := d.use(call); err != nil {
		return err
	}
	return d.check(call, d.cuModuleUnload(m.module))
}

// Function is a kernel in a loaded module (a CUfunction), with its
// Driver. The zero Function is none.
type Function struct {
	d *Driver
	f uintptr
}

// FunctionAttribute is a CUfunction_attribute.
type FunctionAttribute int

// The function attributes (CU_FUNC_ATTRIBUTE_*).
const (
	FuncMaxThreadsPerBlock         FunctionAttribute = 0 // the most threads a block of this kernel may have
	FuncSharedSizeBytes            FunctionAttribute = 1 // static shared memory per block
	FuncConstSizeBytes             FunctionAttribute = 2
	FuncLocalSizeBytes             FunctionAttribute = 3 // local memory per thread (spills)
	FuncNumRegs                    FunctionAttribute = 4 // registers per thread
	FuncPTXVersion                 FunctionAttribute = 5 // 10*major + minor
	FuncBinaryVersion              FunctionAttribute = 6 // the SASS's compute capability, 10*major + minor
	FuncCacheModeCA                FunctionAttribute = 7
	FuncMaxDynamicSharedSizeBytes  FunctionAttribute = 8 // settable: dynamic shared memory a launch may ask for
	FuncPreferredSharedMemCarveout FunctionAttribute = 9 // settable: percent of L1/shared to make shared
)

// Attribute returns one of the kernel's attributes.
func (f Function) Attribute(a FunctionAttribute) (int, error) {
	const call = "cuFuncGetAttribute"
	d := f.d
	if err := d.use(call); err != nil {
		return 0, err
	}
	var v int32
	if err := d.check(call, d.cuFuncGetAttribute(&v, int32(a), f.f)); err != nil {
		return 0, fmt.Errorf("function attribute %d: %w", int(a), err)
	}
	return int(v), nil
}

// SetAttribute sets a settable attribute, such as
// FuncMaxDynamicSharedSizeBytes before a launch that asks for more than
// 48 KiB of dynamic shared memory.
func (f Function) SetAttribute(a FunctionAttribute, value int) error {
	const call = "cuFuncSetAttribute"
	d := f.d
	if err := d.use(call); err != nil {
		return err
	}
	if err := d.check(call, d.cuFuncSetAttribute(f.f, int32(a), int32(value))); err != nil {
		return fmt.Errorf("function attribute %d = %d: %w", int(a), value, err)
	}
	return nil
}
