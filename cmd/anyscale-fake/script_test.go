package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"

	"github.com/anyscale-go/anyscale/tests/scriptcmd"
)

func TestMain(m *testing.M) {
	testscript.Main(leakCheck{m}, map[string]func(){"anyscale-fake": main})
}

// leakCheck runs the tests, then fails them if goroutines were left.
type leakCheck struct{ m *testing.M }

func (l leakCheck) Run() int {
	code := l.m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return code
}

// TestScripts runs testdata/script/*.txtar: each starts anyscale-fake as
// a process of its own and runs the anyscale-keys CLI (built once from
// this module) against it, as the README's walk-through does. The
// commands beyond testscript's own:
//
//	fake start [ARGS...]          start anyscale-fake --addr 127.0.0.1:0 ARGS in the
//	                              background; once it serves, $ANYSCALE_HOST and
//	                              $ANYSCALE_CLI_TOKEN are what its export line says,
//	                              $FAKE_ADDR its HOST:PORT, $<NAME>_TOKEN each other
//	                              member's token (ADA_TOKEN, CI_DEPLOYER_TOKEN), and
//	                              fake.out its standard output so far
//	fake stop                     SIGTERM; it must exit 0; stderr is then its stderr
//	admin METHOD PATH [BODY]      an admin API request; stdout is the answer, which
//	                              must be a success (with !, an error)
//	exits N PROGRAM [ARGS...]     run PROGRAM; it must exit with N
func TestScripts(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the scripts stop anyscale-fake with SIGTERM")
	}
	bin := buildCLI(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("ANYSCALE_CLI_TOKEN", "")
			env.Setenv("ANYSCALE_HOST", "")
			env.Values[fakeKey{}] = new(*process)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"fake":  fakeCmd,
			"admin": adminCmd,
			"exits": scriptcmd.Exits,
		},
	})
}

// buildCLI builds cmd/anyscale-keys into a directory of its own.
func buildCLI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "anyscale-keys"), "github.com/anyscale-go/anyscale/cmd/anyscale-keys").CombinedOutput()
	if err != nil {
		t.Fatalf("building anyscale-keys: %v\n%s", err, out)
	}
	return dir
}

// fakeKey keys a script's *(*process): the anyscale-fake it started.
type fakeKey struct{}

func running(ts *testscript.TestScript) **process { return ts.Value(fakeKey{}).(**process) }

// process is a running anyscale-fake.
type process struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{} // closed once it exited, err set
	err    error
}

var (
	exportRe = regexp.MustCompile(`^export ANYSCALE_HOST=(http://(\S+)) ANYSCALE_CLI_TOKEN=(\S+)$`)
	otherRe  = regexp.MustCompile(`^# export ANYSCALE_CLI_TOKEN=(\S+)  # ([^ @(]+)`)
)

func fakeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fake start [ARGS...] | fake stop")
	}
	switch args[0] {
	case "start":
		if *running(ts) != nil {
			ts.Fatalf("anyscale-fake is already running")
		}
		path, err := exec.LookPath("anyscale-fake")
		ts.Check(err)
		p := &process{cmd: exec.Command(path, append([]string{"--addr", "127.0.0.1:0"}, args[1:]...)...), stderr: &syncBuffer{}, exited: make(chan struct{})}
		p.cmd.Stderr = p.stderr
		stdout, err := p.cmd.StdoutPipe()
		ts.Check(err)
		ts.Check(p.cmd.Start())
		var seen strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() { // blocks until the fake prints: no sleeping
			line := sc.Text()
			seen.WriteString(line + "\n")
			if m := otherRe.FindStringSubmatch(line); m != nil {
				name := strings.ToUpper(strings.ReplaceAll(m[2], "-", "_"))
				ts.Setenv(name+"_TOKEN", m[1])
			}
			if m := exportRe.FindStringSubmatch(line); m != nil {
				ts.Setenv("ANYSCALE_HOST", m[1])
				ts.Setenv("FAKE_ADDR", m[2])
				ts.Setenv("ANYSCALE_CLI_TOKEN", m[3])
				break
			}
		}
		go func() {
			_, _ = io.Copy(io.Discard, stdout) // Wait only once stdout is read
			p.err = p.cmd.Wait()
			close(p.exited)
		}()
		ts.Defer(func() { // a script that ended without "fake stop"
			select {
			case <-p.exited:
			default:
				_ = p.cmd.Process.Kill()
				<-p.exited
			}
		})
		if ts.Getenv("FAKE_ADDR") == "" {
			ts.Fatalf("anyscale-fake printed no export line:\n%s\nstderr:\n%s", seen.String(), p.stderr.String())
		}
		ts.Check(os.WriteFile(ts.MkAbs("fake.out"), []byte(seen.String()), 0o644))
		*running(ts) = p
	case "stop":
		p := *running(ts)
		if p == nil {
			ts.Fatalf("anyscale-fake is not running")
		}
		ts.Check(p.cmd.Process.Signal(syscall.SIGTERM))
		<-p.exited
		*running(ts) = nil
		fmt.Fprint(ts.Stderr(), p.stderr.String())
		if p.err != nil {
			ts.Fatalf("anyscale-fake did not exit cleanly on SIGTERM: %v", p.err)
		}
	default:
		ts.Fatalf("unknown fake command %q", args[0])
	}
}

func adminCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 && len(args) != 3 {
		ts.Fatalf("usage: admin METHOD PATH [BODY]")
	}
	var body io.Reader
	if len(args) == 3 {
		body = strings.NewReader(args[2])
	}
	req, err := http.NewRequest(args[0], ts.Getenv("ANYSCALE_HOST")+args[1], body)
	ts.Check(err)
	req.Close = true // no idle connection left behind
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	_, _ = ts.Stdout().Write(b)
	if failed := resp.StatusCode >= 400; failed != neg {
		ts.Fatalf("%s %s: %s\n%s", args[0], args[1], resp.Status, b)
	}
}
