package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/nbody-go/nbody"

// pkg is one package of the module, as its non-test files have it.
type pkg struct {
	name    string              // the package clause's name
	imports map[string]bool     // the module's packages it imports, by path below the module
	env     map[string][]string // environment calls (os.Getenv, ...) by file
}

// allowed is docs/architecture.md's "What each room may import": each
// library package and the module's packages it may import, by path below
// the module. A package missing here fails the test: say on the page where
// it stands, then here.
var allowed = map[string][]string{
	"nbody/validate":                {"nbody/modes", "nbody/gpu", "nbody/cluster", "nbody/nvml", "nbody/validate/expect", "nbody", "nbody/internal/jsonnum"},
	"nbody/modes":                   {"nbody/gpu", "nbody/cpu", "nbody/cluster", "nbody/tipsy", "nbody/render", "nbody", "nbody/internal/jsonnum", "internal/pathname"},
	"nbody/gpu":                     {"nbody/cuda", "nbody/nccl", "kernels", "nbody"},
	"nbody/cpu":                     {"nbody", "internal/atomicfile", "internal/pathname"},
	"nbody/tipsy":                   {"nbody", "internal/atomicfile", "internal/pathname"},
	"nbody/render":                  {"nbody", "internal/atomicfile", "internal/pathname"},
	"nbody/cluster":                 {},
	"nbody/cuda":                    {"nbody/internal/dynlib"},
	"nbody/nccl":                    {"nbody/internal/dynlib", "nbody/cuda"},
	"nbody/nvml":                    {"nbody/internal/dynlib"},
	"nbody/internal/integratortest": {"nbody"},
	"nbody":                         {},
	"kernels":                       {},
	"nbody/internal/dynlib":         {},
	"nbody/validate/expect":         {},
	"nbody/internal/jsonnum":        {},
	"internal/atomicfile":           {},
	"internal/cli":                  {},
	"internal/console":              {},
	"internal/pathname":             {},
	"internal/procstart":            {},
	"internal/archtest":             {},
}

var bindings = []string{"nbody/cuda", "nbody/nccl", "nbody/nvml"}

// envFuncs are the calls that read or change the process's environment.
var envFuncs = map[string]map[string]bool{
	"os":      {"Getenv": true, "LookupEnv": true, "Setenv": true, "Unsetenv": true, "Environ": true, "Clearenv": true, "ExpandEnv": true},
	"syscall": {"Getenv": true, "Setenv": true, "Unsetenv": true, "Environ": true, "Clearenv": true},
}

// envCalls lists the environment calls in f, as "os.Getenv" and so on,
// whatever name the file imports the package under.
func envCalls(f *ast.File) []string {
	local := map[string]string{} // the name in the file -> the package's path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if envFuncs[path] == nil {
			continue
		}
		name := path
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = path
	}
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Obj == nil {
			if path, ok := local[id.Name]; ok && envFuncs[path][sel.Sel.Name] {
				calls = append(calls, path+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return calls
}

// load parses every non-test Go file of the module under root.
func load(t *testing.T, root string) map[string]*pkg {
	t.Helper()
	pkgs := map[string]*pkg{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0) // with objects: a local variable named os is no package
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			rel = ""
		}
		p := pkgs[rel]
		if p == nil {
			p = &pkg{name: f.Name.Name, imports: map[string]bool{}, env: map[string][]string{}}
			pkgs[rel] = p
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if ip == module {
				p.imports[""] = true
			} else if sub, ok := strings.CutPrefix(ip, module+"/"); ok {
				p.imports[sub] = true
			}
		}
		if calls := envCalls(f); len(calls) > 0 {
			p.env[filepath.Base(path)] = calls
		}
		return nil
	})
	require.NoError(t, err)
	return pkgs
}

// command is a package under cmd/ or bench/: a program, free to import
// any library package.
func command(path string) bool {
	return strings.HasPrefix(path, "cmd/") || strings.HasPrefix(path, "bench/")
}

func sorted(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestImportRules(t *testing.T) {
	pkgs := load(t, filepath.Join("..", ".."))
	require.Contains(t, pkgs, "nbody/modes", "the module's packages were read")
	require.Contains(t, pkgs, "cmd/nbody")

	for path, p := range pkgs {
		label := path
		if label == "" {
			label = "(the module's root)"
		}
		for _, imp := range sorted(p.imports) {
			assert.False(t, command(imp), "%s imports the program %s: nothing imports a command", label, imp)
		}
		if command(path) {
			continue
		}
		may, known := allowed[strings.TrimSuffix(path, "/")]
		if !assert.True(t, known, "package %s is not in docs/architecture.md's rules: say there what it may import, then add it to allowed here", label) {
			continue
		}
		for _, imp := range sorted(p.imports) {
			if imp == "" {
				imp = "(the module's root)"
			}
			assert.Contains(t, may, imp, "%s imports %s, which docs/architecture.md does not allow it", label, imp)
		}
	}

	// The rules the page names, said again so that a change to the list
	// above cannot quietly drop one.
	for _, b := range append(slices.Clone(bindings), "nbody/internal/dynlib") {
		assert.NotContains(t, sorted(pkgs["nbody/modes"].imports), b, "nbody/modes imports no binding")
	}
	for _, b := range bindings {
		for _, imp := range sorted(pkgs[b].imports) {
			ok := imp == "nbody/internal/dynlib" || (b == "nbody/nccl" && imp == "nbody/cuda")
			assert.True(t, ok, "the binding %s imports %s: a binding knows nothing of n-body", b, imp)
		}
	}
	assert.NotContains(t, sorted(pkgs["nbody/gpu"].imports), "nbody/cluster",
		"nbody/gpu sees the rendezvous through its Peers interface, never the cluster package")
	assert.Empty(t, sorted(pkgs["nbody/cluster"].imports), "nbody/cluster imports nothing of the module")
	assert.Empty(t, sorted(pkgs["nbody"].imports), "the core imports nothing of the module")
}

func TestOnlyClusterReadsTheEnvironment(t *testing.T) {
	pkgs := load(t, filepath.Join("..", ".."))
	require.NotEmpty(t, pkgs["nbody/cluster"].env, "the cluster package reads the launchers' environment: the scan finds its calls")
	for path, p := range pkgs {
		if command(path) || p.name == "main" || path == "nbody/cluster" {
			continue
		}
		assert.Empty(t, p.env, "%s reads or sets the environment; below cmd/ only nbody/cluster may (docs/architecture.md)", path)
	}
}

// The scan sees an environment call under any name the file gives os.
func TestEnvCallsSeesAliases(t *testing.T) {
	src := `package x
import (
	o "os"
	"syscall"
)
func f() { _ = o.Getenv("A"); _, _ = syscall.Getenv("B"); _ = o.Args }
`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{"os.Getenv", "syscall.Getenv"}, envCalls(f))
}
