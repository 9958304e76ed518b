package dynlib_test

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

// A library that is not there is ErrNotFound, whatever the machine: the
// bindings test for it to go on without the library, and print the
// loader's reason.
func ExampleOpen() {
	_, err := dynlib.Open("/nonexistent/libnbody-example.so.1")
	fmt.Println(errors.Is(err, dynlib.ErrNotFound))
	fmt.Println(errors.Is(err, dynlib.ErrMissingSymbol))
	fmt.Println(err)
	// Output:
	// true
	// false
	// library not found: /nonexistent/libnbody-example.so.1: cannot open shared object file: No such file or directory
}

// A binding lists its entry points once and resolves them in one call; a
// library that lacks some names all of them.
func ExampleLibrary_Resolve() {
	lib, err := dynlib.Open("libc.so.6")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer lib.Close()

	var strlen func(s string) uint64
	var abs func(int32) int32
	if err := lib.Resolve([]dynlib.Symbol{
		{Name: "strlen", Func: &strlen},
		{Name: "abs", Func: &abs},
	}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strlen("nbody"), abs(-7))

	var cuInit, cuMemAlloc func() int32
	var missing *dynlib.MissingSymbolsError
	err = lib.Resolve([]dynlib.Symbol{
		{Name: "cuInit", Func: &cuInit},
		{Name: "strlen", Func: &strlen},
		{Name: "cuMemAlloc_v2", Func: &cuMemAlloc},
	})
	if errors.As(err, &missing) {
		fmt.Println(missing.Symbols)
	}
	fmt.Println(errors.Is(err, dynlib.ErrMissingSymbol))
	fmt.Println(err)
	// Output:
	// 5 7
	// [cuInit cuMemAlloc_v2]
	// true
	// libc.so.6 lacks cuInit, cuMemAlloc_v2
}
