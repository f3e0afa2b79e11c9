package auth_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

// benchChain is a default chain whose token comes from a credentials file,
// the common case on a laptop: every uncached resolution reads the file.
func benchChain(b *testing.B) *auth.Chain {
	b.Helper()
	path := filepath.Join(b.TempDir(), ".anyscale", "credentials.json")
	if err := credentials.Save(path, "aph0_benchmarktoken0123456789abcdefghij"); err != nil {
		b.Fatal(err)
	}
	return auth.NewChain(auth.File(auth.WithPath(path))).WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// BenchmarkChainTokenCached is the cost every request pays for its token.
func BenchmarkChainTokenCached(b *testing.B) {
	c := benchChain(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChainTokenResolve is the cost without the cache: a file read
// and a permission check per call.
func BenchmarkChainTokenResolve(b *testing.B) {
	c := benchChain(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.Invalidate()
		if _, err := c.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
