package bench

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/keys"
)

// BenchmarkRenewingToken: the cached path of a token, what every call of
// a client asks its provider: a RenewingProvider serving its key
// (impl=renewing), beside an auth.Chain's cached token (impl=chain). The
// target: renewing at most 100 ns per call beyond chain.
func BenchmarkRenewingToken(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=chain", func(b *testing.B) {
		chain := auth.NewChain(auth.Static(token))
		if _, err := chain.Token(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := chain.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=renewing", func(b *testing.B) {
		srv := anyscaletest.NewServer()
		defer srv.Close()
		sa := srv.AddServiceAccount("ci")
		c, err := srv.Client(sa)
		if err != nil {
			b.Fatal(err)
		}
		store := keys.FileStore(filepath.Join(b.TempDir(), "credentials.json"))
		p := keys.Renewing(c, store, keys.RenewOptions{Name: "ci"}, 24*time.Hour)
		defer p.Close()
		if _, err := p.Token(ctx); err != nil { // fills the store, then serves
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := p.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
