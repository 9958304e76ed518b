package dynlib_test

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/internal/dynlib"
)

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
	var getpid uintptr // for purego.SyscallN
	if err := lib.Resolve([]dynlib.Symbol{
		{Name: "strlen", Func: &strlen},
		{Name: "getpid", Addr: &getpid},
	}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(strlen("nbody"))

	var missing *dynlib.MissingSymbolsError
	err = lib.Resolve([]dynlib.Symbol{
		{Name: "cuInit", Addr: new(uintptr)},
		{Name: "strlen", Func: &strlen},
		{Name: "cuMemAlloc_v2", Addr: new(uintptr)},
	})
	if errors.As(err, &missing) {
		fmt.Println(missing.Symbols)
	}
	fmt.Println(err)
	// Output:
	// 5
	// [cuInit cuMemAlloc_v2]
	// libc.so.6 lacks cuInit, cuMemAlloc_v2
}
