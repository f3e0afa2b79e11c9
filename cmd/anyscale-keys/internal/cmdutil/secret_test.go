package cmdutil

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestCheckOut(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		path string
		ok   bool
	}{
		{filepath.Join(dir, "new.json"), true},
		{filepath.Join(dir, "missing", "new.json"), false}, // not created
		{dir, false},
	} {
		err := CheckOut(tt.path, false)
		if (err == nil) != tt.ok {
			t.Errorf("CheckOut(%s) = %v", tt.path, err)
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := CheckOut(filepath.Join(open, "creds.json"), false); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
		t.Errorf("a directory others may write: %v", err)
	}
	// An existing file is refused without --clobber; with it, one others
	// may read is replaced by a 0600 one.
	loose := filepath.Join(dir, "loose.json")
	if err := os.WriteFile(loose, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckOut(loose, false); err == nil || !strings.Contains(err.Error(), "pass --clobber") {
		t.Errorf("an existing file without --clobber: %v", err)
	}
	if err := CheckOut(loose, true); err != nil {
		t.Errorf("a file others may read, --clobber: %v", err)
	}
}
