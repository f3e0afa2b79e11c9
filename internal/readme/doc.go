// Package readme holds the test that keeps the README's Go snippets
// complete and compiling: each is a whole program (or a whole test file),
// imports included, built and vetted against this module.
package readme
