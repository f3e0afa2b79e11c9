//go:build !unix

package nonregular

import "testing"

// MakeFIFO skips the test: there are no named pipes in the file system
// here.
func MakeFIFO(t testing.TB, _ string) {
	t.Helper()
	t.Skip("no named pipes in the file system here")
}

// FeedFIFO skips the test: there are no named pipes in the file system
// here.
func FeedFIFO(t testing.TB, _ string, _ []byte) {
	t.Helper()
	t.Skip("no named pipes in the file system here")
}

// ReleaseFIFO does nothing: there are no named pipes here.
func ReleaseFIFO(string) {}
