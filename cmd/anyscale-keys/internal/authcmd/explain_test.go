package authcmd

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/credentials"
)

const (
	envToken  = "aph0_envtoken0123456789abcdefghijklmnop"
	fileToken = "aph0_filetoken0123456789abcdefghijklmnop"
)

// explain runs `auth explain` on chain.
func (e *testEnv) explain(chain *auth.Chain, args ...string) error {
	cmd := NewCmdExplain(e.f, func(ctx context.Context, o *ExplainOptions) error {
		if chain != nil {
			o.Chain = func() *auth.Chain { return chain }
		}
		return explainRun(ctx, o)
	})
	return execute(cmd, args...)
}

func TestExplainFlags(t *testing.T) {
	e := newTestEnv(t, false)
	ran := false
	if err := execute(NewCmdExplain(e.f, func(_ context.Context, o *ExplainOptions) error {
		ran = o.F == e.f && o.Chain != nil
		return nil
	})); err != nil || !ran {
		t.Fatalf("ran %v: %v", ran, err)
	}
	if err := execute(NewCmdExplain(e.f, func(context.Context, *ExplainOptions) error { return nil }), "extra"); err == nil {
		t.Error("an argument was accepted")
	}
	cmd := NewCmdAuth(e.f)
	if sub, _, err := cmd.Find([]string{"explain"}); err != nil || sub.Name() != "explain" {
		t.Errorf("auth has no explain: %v", err)
	}
	for _, c := range []*cobra.Command{cmd, NewCmdExplain(e.f, nil)} {
		if c.Short == "" || c.Long == "" || c.Example == "" {
			t.Errorf("%s: help is missing a part", c.Name())
		}
	}
}

func TestExplainTable(t *testing.T) {
	e := newTestEnv(t, false)
	chain := auth.NewChain(auth.Static(envToken), auth.Static(fileToken))
	if err := e.explain(chain); err != nil {
		t.Fatal(err)
	}
	out := e.out.String()
	for _, want := range []string{
		"SOURCE", "FINGERPRINT", credentials.Secret(envToken).Fingerprint(), credentials.Secret(fileToken).Fingerprint(),
		"shadowed by static; different token", "result: the token from static",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, envToken) || strings.Contains(out, fileToken) || e.err.Len() != 0 {
		t.Errorf("a token shows, or stderr is not empty:\n%s\n%s", out, e.err)
	}
}

func TestExplainJSON(t *testing.T) {
	e := newTestEnv(t, false)
	e.f.Output = cmdutil.FormatJSON
	if err := e.explain(auth.NewChain(auth.Static(envToken))); err != nil {
		t.Fatal(err)
	}
	var got cmdutil.Explain
	if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, e.out)
	}
	if len(got.Sources) != 1 || got.Sources[0].Status != "used" || got.Sources[0].Fingerprint != credentials.Secret(envToken).Fingerprint() ||
		got.Host == "" || got.HostOrigin == "" || got.Error != "" {
		t.Errorf("got %+v", got)
	}
	if strings.Contains(e.out.String(), envToken) {
		t.Error("the token shows")
	}
}

func TestExplainNoToken(t *testing.T) {
	for _, format := range []string{cmdutil.FormatTable, cmdutil.FormatJSON} {
		e := newTestEnv(t, false)
		e.f.Output = format
		err := e.explain(auth.NewChain(auth.ProviderFunc(func(context.Context) (auth.Token, error) {
			return auth.Token{}, auth.ErrUnavailable
		})))
		if c := exitCode(t, err); c != cmdutil.ExitUnauthenticated || !strings.Contains(err.Error(), "no source has a token") ||
			!strings.Contains(err.Error(), "anyscale-keys login") {
			t.Errorf("%s: exit %d: %v", format, c, err)
		}
		if e.out.Len() == 0 {
			t.Errorf("%s: no report on stdout", format)
		}
	}
}

func TestExplainBrokenSource(t *testing.T) {
	e := newTestEnv(t, false)
	broken := auth.ProviderFunc(func(context.Context) (auth.Token, error) { return auth.Token{}, errBoom })
	err := e.explain(auth.NewChain(broken, auth.Static(fileToken)))
	if c := exitCode(t, err); c != cmdutil.ExitUnauthenticated || !strings.Contains(err.Error(), "a broken source stops the chain: ") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("exit %d: %v", c, err)
	}
	if !strings.Contains(e.out.String(), "shadowed") || strings.Contains(e.out.String(), fileToken) {
		t.Errorf("stdout:\n%s", e.out)
	}
}

// --host X is what explain reports as the host, from "--host", in the
// table and in JSON; a URL that could hide a secret is not shown.
func TestExplainHostFlag(t *testing.T) {
	t.Setenv("ANYSCALE_HOST", "https://from-env.example.com")
	for host, want := range map[string]string{
		"https://api.example.com":              "host: https://api.example.com (from --host)",
		"https://user:hunter2@api.example.com": "not shown",
		"https://api.example.com/?key=hunter2": "not shown",
	} {
		e := newTestEnv(t, false)
		e.f.Host = host
		if err := e.explain(auth.NewChain(auth.Static(envToken))); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.out.String(), want) || strings.Contains(e.out.String(), "hunter2") || strings.Contains(e.out.String(), "from-env") {
			t.Errorf("--host %s: stdout %q", host, e.out)
		}
		e = newTestEnv(t, false)
		e.f.Host, e.f.Output = host, cmdutil.FormatJSON
		if err := e.explain(auth.NewChain(auth.Static(envToken))); err != nil {
			t.Fatal(err)
		}
		var got cmdutil.Explain
		if err := json.Unmarshal(e.out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.HostOrigin != "--host" || strings.Contains(got.Host, "hunter2") || strings.Contains(got.Host, "from-env") {
			t.Errorf("--host %s: JSON host %q from %q", host, got.Host, got.HostOrigin)
		}
	}
	e := newTestEnv(t, false)
	if err := e.explain(auth.NewChain(auth.Static(envToken))); err != nil || !strings.Contains(e.out.String(), "from-env.example.com (from ANYSCALE_HOST)") {
		t.Errorf("without --host: %v, stdout %q", err, e.out)
	}
}

func TestExplainDefaultChainReadsTheCredentialsPath(t *testing.T) {
	t.Setenv(auth.EnvToken, "")
	os.Unsetenv(auth.EnvToken)
	e := newTestEnv(t, false)
	if err := credentials.Save(e.path, fileToken); err != nil {
		t.Fatal(err)
	}
	if err := e.explain(nil); err != nil {
		t.Fatalf("%v\n%s", err, e.out)
	}
	out := e.out.String()
	if !strings.Contains(out, "result: the token from file ("+e.path+")") || strings.Contains(out, fileToken) {
		t.Errorf("stdout:\n%s", out)
	}

	if err := os.Remove(e.path); err != nil {
		t.Fatal(err)
	}
	e.out.Reset()
	if c := exitCode(t, e.explain(nil)); c != cmdutil.ExitUnauthenticated {
		t.Errorf("exit %d", c)
	}
	if !strings.Contains(e.out.String(), filepath.Base(e.path)) {
		t.Errorf("stdout:\n%s", e.out)
	}
}
