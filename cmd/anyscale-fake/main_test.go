package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
)

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"127.0.0.1:8180", "127.0.0.2:1", "[::1]:0", "localhost:8180"} {
		assert.NoError(t, checkLoopback(ok), ok)
	}
	for _, bad := range []string{"0.0.0.0:8180", ":8180", "[::]:8180", "192.168.1.10:8180", "example.com:8180", "127.0.0.1"} {
		assert.Error(t, checkLoopback(bad), bad)
	}
}

// syncBuffer is a bytes.Buffer safe to read while run writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--addr", "0.0.0.0:8180"}, 2, `--addr "0.0.0.0:8180" is not a loopback address`},
		{[]string{"--addr", ":8180"}, 2, "is not a loopback address"},
		{[]string{"--bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"serve"}, 2, `unexpected argument "serve"`},
		{[]string{"--help"}, 0, "Usage: anyscale-fake [--addr HOST:PORT] [--seed]"},
	} {
		var stdout, stderr bytes.Buffer
		assert.Equal(t, c.code, run(context.Background(), c.args, &stdout, &stderr), "%v", c.args)
		assert.Contains(t, stderr.String(), c.want, "%v", c.args)
		assert.Empty(t, stdout.String(), "%v", c.args)
	}
}

func TestRunPortTaken(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 1, run(context.Background(), []string{"--addr", l.Addr().String()}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "anyscale-fake: cannot listen on "+l.Addr().String())
	assert.Contains(t, stderr.String(), "pass --addr 127.0.0.1:0", "it says what to do")
	assert.Empty(t, stdout.String())
}

var exportLine = regexp.MustCompile(`^export ANYSCALE_HOST=(http://127\.0\.0\.1:\d+) ANYSCALE_CLI_TOKEN=(aph0_\w+)$`)

// TestRunServesUntilStopped: run prints the shell lines once it serves,
// the owner's token works through the SDK, and run returns 0 once its
// context ends (a signal, in main).
func TestRunServesUntilStopped(t *testing.T) {
	t.Parallel()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	out, w := io.Pipe()
	var stderr syncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"--addr", "127.0.0.1:0", "--seed"}, w, &stderr)
		w.Close()
	}()

	var lines []string
	var host, token string
	sc := bufio.NewScanner(out)
	for host == "" && sc.Scan() {
		lines = append(lines, sc.Text())
		if m := exportLine.FindStringSubmatch(sc.Text()); m != nil {
			host, token = m[1], m[2]
		}
	}
	require.NotEmpty(t, host, "no export line in:\n%s\nstderr: %s", strings.Join(lines, "\n"), stderr.String())
	go func() { _, _ = io.Copy(io.Discard, out) }()
	assert.Regexp(t, `^# The fake Anyscale API, organization "Example Org" \(org_\w+\), clock \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.$`, lines[0])
	assert.Regexp(t, `^# export ANYSCALE_CLI_TOKEN=aph0_\w+  # ada@example.com \(collaborator\)$`, lines[2])
	assert.Regexp(t, `^# export ANYSCALE_CLI_TOKEN=aph0_\w+  # ci-deployer \(service account\)$`, lines[3])
	assert.Equal(t, "# The owner, owner@example.com:", lines[4])
	assert.Contains(t, stderr.String(), "anyscale-fake: serving on "+host+", admin API under "+host+"/_fake/")

	c, err := client.New(client.WithBaseURL(host), client.WithToken(token))
	require.NoError(t, err)
	me, err := c.WhoAmI(ctx)
	require.NoError(t, err)
	assert.Equal(t, "owner@example.com", me.Email)
	var names []string
	for k, err := range keys.New(c).All(ctx, keys.ListOptions{}) {
		require.NoError(t, err)
		names = append(names, k.Name)
	}
	assert.Subset(t, names, []string{"old-laptop", "deploy", "batch-90d"})

	stop()
	assert.Equal(t, 0, <-code)
	assert.True(t, strings.HasSuffix(stderr.String(), "anyscale-fake: stopped\n"), stderr.String())
	_, err = net.Dial("tcp", strings.TrimPrefix(host, "http://"))
	assert.Error(t, err, "the port is closed")
}

// TestSeedDemo: the demo organization is the one the package doc lists,
// each key at its age, and the printed tokens are fresh.
func TestSeedDemo(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC)
	srv := anyscaletest.Start(t, anyscaletest.WithClock(now.Add(-seedPast)))
	others := seedDemo(srv)
	require.Equal(t, now, srv.Now(), "the clock ends at the time the command started")

	require.Len(t, others, 2)
	assert.Equal(t, "ada@example.com (collaborator)", others[0].about)
	assert.Equal(t, "ci-deployer (service account)", others[1].about)
	owner := srv.Owner()
	ada, bot := others[0].user, others[1].user
	assert.Equal(t, anyscaletest.Collaborator, ada.Role)
	assert.Equal(t, anyscaletest.Collaborator, bot.Role)
	assert.Equal(t, "ci-deployer", bot.Name)

	type row struct {
		owner, name      string
		age, life, since time.Duration // life 0: legacy; since 0: never used
	}
	var got []row
	for _, u := range []anyscaletest.User{owner, ada, bot} {
		for i, k := range srv.Keys(u) { // oldest first: the printed token's key, then the demo's
			r := row{owner: u.Email, name: k.Name, age: now.Sub(k.CreatedAt)}
			if k.ExpiresAt != nil {
				r.life = k.ExpiresAt.Sub(k.CreatedAt)
			}
			if k.LastUsedAt != nil {
				r.since = now.Sub(*k.LastUsedAt)
			}
			if i == 0 {
				assert.Zero(t, r.age, "%s's printed token is a fresh key", u.Email)
				assert.Zero(t, r.since)
				continue
			}
			assert.Nil(t, k.RevokedAt)
			got = append(got, r)
		}
	}
	assert.ElementsMatch(t, []row{
		{"owner@example.com", "old-laptop", 90 * day, 0, 60 * day},
		{"ada@example.com", "demo", 40 * day, 7 * day, 0},
		{"ada@example.com", "notebook", 29 * day, 30 * day, 2 * time.Hour},
		{"owner@example.com", "deploy", 20 * day, 30 * day, 3 * time.Hour},
		{"owner@example.com", "batch-90d", 10 * day, 90 * day, 0},
		{"ada@example.com", "scratch", 2 * day, 7 * day, 0},
	}, got)
}
