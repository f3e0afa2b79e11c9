package authcmd

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"time"
)

// browserWait is how long openBrowser waits for the opener to fail before
// it takes the browser as opened: some openers stay in the foreground as
// long as the browser they started.
const browserWait = 2 * time.Second

// openBrowser opens url in the user's browser with the system's opener
// (see browserCommand). It reports an opener that is missing or fails
// within browserWait; one still running then is left to run.
func openBrowser(ctx context.Context, url string) error {
	name, args := browserCommand(runtime.GOOS, url)
	cmd := exec.Command(name, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	timer := time.NewTimer(browserWait)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil
}

// browserCommand is the command that opens url on goos: open on macOS,
// the URL handler of rundll32 on Windows, xdg-open elsewhere.
func browserCommand(goos, url string) (name string, args []string) {
	switch goos {
	case "darwin":
		return "open", []string{url}
	case "windows":
		return "rundll32", []string{"url.dll,FileProtocolHandler", url}
	}
	return "xdg-open", []string{url}
}
