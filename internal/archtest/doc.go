// Package archtest holds the test that keeps the module's packages to the
// import rules of docs/architecture.md.
//
// # What it checks
//
// Each package's imports of the module's own packages against the list of
// what it may import, the rules the page names (the modes import no
// binding, the bindings nothing of n-body, the GPU integrator not the
// rendezvous, nothing below the commands a command), and that below cmd/
// only nbody/cluster reads or sets the environment. It reads the source
// (test files aside), so a change that breaks a rule fails `make test`
// until the page and the code agree again.
package archtest
