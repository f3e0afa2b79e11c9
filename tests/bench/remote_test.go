package bench

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// serveEnv makes the test binary a server instead of running benchmarks.
const serveEnv = "ANYSCALE_BENCH_SERVE"

func TestMain(m *testing.M) {
	if os.Getenv(serveEnv) != "" {
		serve()
		return
	}
	code := m.Run()
	stopRemote()
	os.Exit(code)
}

// serve answers, under path prefixes, the answers the client-only
// benchmarks ask for, and prints its URL: /small (userinfo), /page (one
// page of 50 keys), /list (1,000 keys, 50 a page).
func serve() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/small/", http.StripPrefix("/small", userInfo))
	mux.Handle("/page/", http.StripPrefix("/page", keyPages(50)))
	mux.Handle("/list/", http.StripPrefix("/list", keyPages(1000)))
	fmt.Println("http://" + ln.Addr().String())
	_ = http.Serve(ln, mux)
}

var (
	remoteOnce sync.Once
	remoteURL  string
	remoteCmd  *exec.Cmd
)

// remote returns the base URL of a server in another process, so that a
// benchmark's time and allocations are the client's alone.
func remote(b testing.TB, prefix string) string {
	b.Helper()
	remoteOnce.Do(func() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), serveEnv+"=1")
		out, err := cmd.StdoutPipe()
		if err != nil {
			panic(err)
		}
		if err := cmd.Start(); err != nil {
			panic(err)
		}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			panic(err)
		}
		remoteURL, remoteCmd = strings.TrimSpace(line), cmd
	})
	return remoteURL + prefix
}

func stopRemote() {
	if remoteCmd != nil {
		_ = remoteCmd.Process.Kill()
		_ = remoteCmd.Wait()
	}
}
