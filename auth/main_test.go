package auth_test

import (
	"os"
	"testing"

	"github.com/anyscale-go/anyscale/auth"
)

// TestMain runs the tests and examples without the caller's ANYSCALE_HOST,
// so that the host a report shows is DefaultHost unless a test sets one
// with t.Setenv.
func TestMain(m *testing.M) {
	os.Unsetenv(auth.EnvHost)
	os.Exit(m.Run())
}
