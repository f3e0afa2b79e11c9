package keyscmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdtest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/keyscmd"
)

// env is a command's world in a test: a fake server, streams on buffers
// and a Factory whose client authenticates as the server's owner.
type env struct {
	srv             *anyscaletest.Server
	io              *iostreams.IOStreams
	f               *cmdutil.Factory
	in, out, errOut *bytes.Buffer
	owner           anyscaletest.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	srv := anyscaletest.Start(t)
	io, in, out, errOut := iostreams.Test()
	f := cmdutil.NewFactory(io, "test")
	owner := srv.Owner()
	f.Client = func() (*client.Client, error) { return srv.Client(owner) }
	return &env{srv: srv, io: io, f: f, in: in, out: out, errOut: errOut, owner: owner}
}

// run executes cmd with args in ctx.
func (e *env) run(ctx context.Context, cmd *cobra.Command, args ...string) error {
	return cmdtest.Execute(ctx, cmd, e.io, args...)
}

// active reports whether the key with id is active on the server.
func (e *env) active(t *testing.T, u anyscaletest.User, id string) bool {
	t.Helper()
	for _, k := range e.srv.Keys(u) {
		if k.ID == id {
			return k.RevokedAt == nil && (k.ExpiresAt == nil || k.ExpiresAt.After(e.srv.Now()))
		}
	}
	t.Fatalf("no key %s", id)
	return false
}

func (e *env) activeCount(u anyscaletest.User) int {
	n := 0
	for _, k := range e.srv.Keys(u) {
		if k.RevokedAt == nil {
			n++
		}
	}
	return n
}

// noSecret fails when a token of the fake's shows in s.
func noSecret(t *testing.T, where, s string) {
	t.Helper()
	if strings.Contains(s, "aph0_") {
		t.Errorf("a token shows in %s", where)
	}
}

func TestRevokeConfirmedOnTerminal(t *testing.T) {
	e := newEnv(t)
	id, _ := e.srv.AddKey(e.owner, "ci", 10*day)
	e.io.SetTTY(true, false, true)
	e.in.WriteString("y\n")
	if err := e.run(context.Background(), keyscmd.NewCmdRevoke(e.f, nil), id); err != nil {
		t.Fatal(err)
	}
	wantQ := "This revokes 1 key of yours:\n  " + id[:12] + "  ci  yours\nAnything that uses it loses access, and this cannot be undone. Go on? [y/N] "
	if !strings.HasPrefix(e.errOut.String(), wantQ) {
		t.Errorf("stderr = %q, want the question %q first", e.errOut, wantQ)
	}
	if e.active(t, e.owner, id) {
		t.Error("the key is still active")
	}
	if !strings.Contains(e.out.String(), id) || !strings.Contains(e.out.String(), "revoked") {
		t.Errorf("stdout = %q, want the result", e.out)
	}
}

func TestRevokeDeclinedOnTerminal(t *testing.T) {
	for _, answer := range []string{"n\n", "\n", "", "nope\n"} {
		e := newEnv(t)
		ids := make([]string, 5)
		for i := range ids {
			ids[i], _ = e.srv.AddKey(e.owner, "k"+string(rune('a'+i)), 10*day)
		}
		e.io.SetTTY(true, true, true)
		e.in.WriteString(answer)
		err := e.run(context.Background(), keyscmd.NewCmdRevoke(e.f, nil), append(ids, "--org")...)
		if !errors.Is(err, cmdutil.ErrDeclined) || cmdutil.ExitCode(err) != cmdutil.ExitFailure {
			t.Errorf("answer %q: err = %v (exit %d), want ErrDeclined, exit 1", answer, err, cmdutil.ExitCode(err))
		}
		if q := e.errOut.String(); !strings.Contains(q, "This revokes 5 keys in the organization:\n  "+ids[0][:12]+"  ka  owner@example.com\n") ||
			!strings.Contains(q, "  "+ids[4][:12]+"  ke  owner@example.com\nAnything that uses them loses access") {
			t.Errorf("answer %q: the question %q does not name what will be lost", answer, q)
		}
		for _, id := range ids {
			if !e.active(t, e.owner, id) {
				t.Errorf("answer %q: key %s was revoked", answer, id)
			}
		}
		if e.out.Len() != 0 {
			t.Errorf("answer %q: stdout = %q, want nothing", answer, e.out)
		}
	}
}

func TestRevokeRefusesWithoutTerminal(t *testing.T) {
	// Standard input a terminal but standard error not: no question.
	e := newEnv(t)
	id, _ := e.srv.AddKey(e.owner, "ci", 10*day)
	e.io.SetTTY(true, true, false)
	e.in.WriteString("y\n")
	err := e.run(context.Background(), keyscmd.NewCmdRevoke(e.f, nil), id)
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), "pass --yes") {
		t.Errorf("err = %v (exit %d), want a usage error saying to pass --yes", err, cmdutil.ExitCode(err))
	}
	if strings.Contains(e.errOut.String(), "Go on?") {
		t.Error("asked where it cannot")
	}
	if !e.active(t, e.owner, id) {
		t.Error("the key was revoked")
	}
}

func TestRevokeProgress(t *testing.T) {
	for _, tty := range []bool{true, false} {
		e := newEnv(t)
		var ids []string
		for i := range 3 {
			id, _ := e.srv.AddKey(e.owner, "k"+string(rune('a'+i)), 10*day)
			ids = append(ids, id)
		}
		e.io.SetTTY(false, false, tty)
		if err := e.run(context.Background(), keyscmd.NewCmdRevoke(e.f, nil), append(ids, "--yes")...); err != nil {
			t.Fatal(err)
		}
		stderr := e.errOut.String()
		bar := strings.Contains(stderr, "\rRevoking 3 keys [") && strings.Contains(stderr, "] 3/3\n")
		if bar != tty {
			t.Errorf("stderr a terminal %v: progress bar shown %v: %q", tty, bar, stderr)
		}
		if !tty && strings.ContainsAny(stderr, "\r#") {
			t.Errorf("piped stderr has progress: %q", stderr)
		}
		if !strings.HasSuffix(stderr, "3 revoked, 0 not found (nothing active to revoke), 0 failed (may still be active).\n") {
			t.Errorf("stderr = %q, want the summary last", stderr)
		}
		if strings.Contains(e.out.String(), "Revoking") {
			t.Error("progress on stdout")
		}
	}
}

// cancelWriter cancels a context once what is written to it contains a
// mark: a progress bar's step.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	mark   string
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.mark) {
		w.cancel()
	}
	return n, err
}

func TestRevokeInterrupted(t *testing.T) {
	e := newEnv(t)
	var ids []string
	for i := range 60 {
		id, _ := e.srv.AddKey(e.owner, fmt.Sprintf("k%02d", i), 10*day)
		ids = append(ids, id)
	}
	// Two batches go out at once; one is held, so that Ctrl-C comes when
	// the other is done.
	e.srv.FailNext(anyscaletest.Fault{Method: "POST", PathPrefix: "/api/v2/users/api_keys/revoke", Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := &cancelWriter{mark: "/60", cancel: cancel}
	e.io.ErrOut = w
	e.io.SetTTY(false, false, true)
	e.f.Output = cmdutil.FormatJSON
	err := e.run(ctx, keyscmd.NewCmdRevoke(e.f, nil), append(ids, "--yes")...)
	if cmdutil.ExitCode(err) != cmdutil.ExitInterrupted || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v (exit %d), want exit 130", err, cmdutil.ExitCode(err))
	}
	var got cmdutil.RevokeResult
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatalf("stdout %q: %v", e.out, err)
	}
	if len(got.Revoked) == 0 || len(got.Failed) == 0 || len(got.Revoked)+len(got.NotFound)+len(got.Failed) != 60 {
		t.Fatalf("result = %d revoked, %d not found, %d failed; want one batch revoked, the held one failed", len(got.Revoked), len(got.NotFound), len(got.Failed))
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("interrupted: %d revoked, 0 not found", len(got.Revoked))) {
		t.Errorf("err = %q, want it to say what was done", err)
	}
	for _, id := range got.Revoked {
		if e.active(t, e.owner, id) {
			t.Errorf("%s reported revoked but active", id)
		}
	}
	if !strings.HasSuffix(w.buf.String(), "\n") {
		t.Errorf("the progress line is left open: %q", w.buf.String())
	}
}

func TestRevokeStdin(t *testing.T) {
	e := newEnv(t)
	a, _ := e.srv.AddKey(e.owner, "a", 10*day)
	b, _ := e.srv.AddKey(e.owner, "b", 10*day)
	e.in.WriteString(a + "\n\n  " + b + "  \r\nunknown\n" + a + "\n")
	// A key not found is exit 5, once the others are revoked.
	if err := e.run(context.Background(), keyscmd.NewCmdRevoke(e.f, nil), "-", "--yes"); cmdutil.ExitCode(err) != cmdutil.ExitNotFound {
		t.Fatalf("err = %v (exit %d), want exit 5", err, cmdutil.ExitCode(err))
	}
	lines := strings.Split(strings.TrimSpace(e.out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("stdout = %q, want 3 rows (duplicates once), and in a pipe no header", e.out)
	}
	for i, want := range []string{a + "\t\trevoked", b + "\t\trevoked", "unknown"} {
		if !strings.HasPrefix(lines[i], want) {
			t.Errorf("row %d = %q, want %q first", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[2], "not found") {
		t.Errorf("row 3 = %q, want not found", lines[2])
	}
}

// keys rotate replaces the key this command uses: asked on a terminal,
// naming the key it revokes; "n" changes nothing; "y" makes the new key,
// prints it, and revokes the old one only, or every other key with --all.
func TestRotateOnTerminal(t *testing.T) {
	for _, tt := range []struct {
		answer string
		all    bool
		active int
	}{{"n\n", false, 2}, {"y\n", false, 2}, {"y\n", true, 1}} {
		e := newEnv(t)
		ci, _ := e.srv.AddKey(e.owner, "ci", 10*day)
		e.io.SetTTY(true, false, true)
		e.in.WriteString(tt.answer)
		args := []string{}
		if tt.all {
			args = append(args, "--all")
		}
		err := e.run(context.Background(), keyscmd.NewCmdRotate(e.f, nil), args...)
		q := e.errOut.String()
		want := "This makes a new key, saves it to standard output and checks it, then revokes 1 key of yours:\n"
		if tt.all {
			want = "This makes a new key, saves it to standard output and checks it, then revokes 2 keys of yours:\n"
		}
		if !strings.HasPrefix(q, want) || !strings.Contains(q, "(the key this command uses)") || strings.Contains(q, ci[:12]) != tt.all {
			t.Errorf("%+v: stderr = %q, want the question naming what it revokes", tt, q)
		}
		if tt.answer == "n\n" {
			if !errors.Is(err, cmdutil.ErrDeclined) || e.activeCount(e.owner) != tt.active || e.out.Len() != 0 {
				t.Errorf("declined: err = %v, %d active keys, stdout %d bytes", err, e.activeCount(e.owner), e.out.Len())
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		secret := strings.TrimSuffix(e.out.String(), "\n")
		if !strings.HasPrefix(secret, "aph0_") || strings.ContainsAny(secret, " \n") {
			t.Errorf("stdout = %d bytes, want the new secret alone", e.out.Len())
		}
		noSecret(t, "stderr", e.errOut.String())
		if got := e.activeCount(e.owner); got != tt.active {
			t.Errorf("%+v: %d active keys, want %d", tt, got, tt.active)
		}
		if e.active(t, e.owner, ci) == tt.all {
			t.Errorf("%+v: ci active %v", tt, !tt.all)
		}
	}
}

func TestAuditProgress(t *testing.T) {
	for _, tty := range []bool{true, false} {
		e := newEnv(t)
		ada := e.srv.AddUser("ada@example.com", anyscaletest.Collaborator)
		e.srv.AddKey(ada, "old", 0)
		e.io.SetTTY(false, false, tty)
		if err := e.run(context.Background(), keyscmd.NewCmdAudit(e.f, nil), "--org"); err != nil {
			t.Fatal(err)
		}
		stderr := e.errOut.String()
		bar := strings.Contains(stderr, "\rAuditing [")
		if bar != tty {
			t.Errorf("stderr a terminal %v: progress bar shown %v: %q", tty, bar, stderr)
		}
		if !strings.Contains(e.out.String(), "ada@example.com") {
			t.Errorf("stdout = %q, want ada's finding", e.out)
		}
		// The own scope has no bar: one request or few.
		e.errOut.Reset()
		if err := e.run(context.Background(), keyscmd.NewCmdAudit(e.f, nil)); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(e.errOut.String(), "Auditing") {
			t.Errorf("own audit shows a bar: %q", e.errOut)
		}
	}
}

func TestAuditFailOnFindings(t *testing.T) {
	e := newEnv(t)
	e.f.Output = cmdutil.FormatJSON
	if err := e.run(context.Background(), keyscmd.NewCmdAudit(e.f, nil), "--fail-on-findings"); err != nil {
		t.Fatalf("no findings: %v", err)
	}
	e.srv.AddKey(e.owner, "legacy", 0)
	e.out.Reset()
	err := e.run(context.Background(), keyscmd.NewCmdAudit(e.f, nil), "--fail-on-findings")
	if cmdutil.ExitCode(err) != cmdutil.ExitFindings {
		t.Fatalf("err = %v (exit %d), want exit 7", err, cmdutil.ExitCode(err))
	}
	var got cmdutil.Audit
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Checked != 2 || len(got.Findings) == 0 || got.Findings[0].Key.Name != "legacy" {
		t.Errorf("report = %+v", got)
	}
}

func TestCreate(t *testing.T) {
	e := newEnv(t)
	if err := e.run(context.Background(), keyscmd.NewCmdCreate(e.f, nil), "ci", "--expires", "7d"); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	if !strings.HasPrefix(out, "aph0_") || strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") || strings.Contains(out, " ") {
		t.Errorf("stdout is not the secret alone on one line (%d bytes)", len(out))
	}
	noSecret(t, "stderr", e.errOut.String())
	if !strings.Contains(e.errOut.String(), `Created key "ci" (id `) || !strings.Contains(e.errOut.String(), `, display id key_`) ||
		!strings.Contains(e.errOut.String(), "expires in 7 days (") {
		t.Errorf("stderr = %q", e.errOut)
	}
	keys := e.srv.Keys(e.owner)
	k := keys[len(keys)-1]
	if k.Name != "ci" || k.ExpiresAt == nil || k.ExpiresAt.Sub(k.CreatedAt) != 7*day {
		t.Errorf("the key is %+v, want ci for 7 days", k)
	}
}

func TestCreateOut(t *testing.T) {
	e := newEnv(t)
	e.f.Output = cmdutil.FormatJSON
	path := filepath.Join(t.TempDir(), "creds.json")
	if err := e.run(context.Background(), keyscmd.NewCmdCreate(e.f, nil), "ci", "--out", path); err != nil {
		t.Fatal(err)
	}
	noSecret(t, "stdout", e.out.String())
	noSecret(t, "stderr", e.errOut.String())
	var k cmdutil.Key
	if err := json.Unmarshal(e.out.Bytes(), &k); err != nil {
		t.Fatalf("stdout %q: %v", e.out, err)
	}
	if k.Name != "ci" || k.Status != "active" || len(k.ID) != 64 || k.ExpiresAt == nil {
		t.Errorf("key = %+v", k)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), `"cli_token":"aph0_`) {
		t.Fatalf("credentials file: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode: %v %v", fi.Mode(), err)
	}
}

func TestListJSON(t *testing.T) {
	e := newEnv(t)
	id, _ := e.srv.AddKey(e.owner, "ci", 10*day)
	e.srv.SetLastUsed(id, e.srv.Now().Add(-time.Hour))
	e.f.Output = cmdutil.FormatJSON
	if err := e.run(context.Background(), keyscmd.NewCmdList(e.f, nil), "--name", "ci"); err != nil {
		t.Fatal(err)
	}
	var got []cmdutil.Key
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != id || got[0].LastUsedAt == nil || got[0].Status != "active" {
		t.Errorf("list = %+v", got)
	}
}
