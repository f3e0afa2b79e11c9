package serviceaccounts_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that the tests leave no goroutines behind: every fake
// server is closed and every client talks to it over the server's own HTTP
// client.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
