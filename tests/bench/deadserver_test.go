package bench

import (
	"context"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/tests/rawserver"
)

// dropServer accepts every connection, reads its request, and closes it
// with no answer: every answer is lost, as behind a dead network path.
func dropServer(b testing.TB) string {
	return "http://" + rawserver.Start(b, rawserver.Drop)
}

// BenchmarkDeadServer: against a server that accepts and then drops every
// connection, one failed WhoAmI (its retry budget, the default policy),
// then RevokeMany of 1,000 ids (every id must be accounted for), on the
// same client. The metric "x-whoami" is RevokeMany's time over WhoAmI's in
// the same iteration; the target is at most 3.
func BenchmarkDeadServer(b *testing.B) {
	url := dropServer(b)
	ctx := context.Background()
	all := ids(1000)
	var who, revoke time.Duration
	for range b.N {
		c := sdkClient(b, url)
		start := time.Now()
		if _, err := c.WhoAmI(ctx); err == nil {
			b.Fatal("WhoAmI succeeded against a server that answers nothing")
		}
		who += time.Since(start)

		start = time.Now()
		res, err := keys.New(c).RevokeMany(ctx, all)
		revoke += time.Since(start)
		if err == nil || res == nil || len(res.Revoked)+len(res.NotFound)+len(res.Failed) != len(all) || len(res.Failed) != len(all) {
			b.Fatalf("every id must be in Failed: %v", err)
		}
		c.CloseIdleConnections()
	}
	b.ReportMetric(who.Seconds()/float64(b.N), "whoami-s/op")
	b.ReportMetric(revoke.Seconds()/float64(b.N), "revokemany-s/op")
	b.ReportMetric(float64(revoke)/float64(who), "x-whoami")
}
