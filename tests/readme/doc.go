// Package readme holds the test that keeps the README's Go snippets
// complete and compiling: each is a whole program (or a whole test file),
// imports included, vetted against this module in a subtest named after
// the README line it starts on; the test files are run too.
package readme
