package regfile

import (
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
)

// Read returns the content of the regular file at path: at most limit+1
// bytes of it, so that a caller tells a file over its bound by
// len(data) > limit.
//
// Read opens the file without blocking (a named pipe with no writer does
// not hold it up) and checks the file it opened, not the path, so nothing
// can be swapped in between. Anything but a regular file, after symbolic
// links are followed, is an error that names the path and says what is
// there. A regular file whose size the system reports as 0, such as
// /proc/1/environ, is read to its end all the same. Errors from the os
// package are returned as they are, so errors.Is(err, fs.ErrNotExist)
// tells a missing file. A negative limit is treated as 0.
func Read(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, openFlags, 0)
	if err != nil {
		// Opening a Unix socket fails (ENXIO, "no such device or
		// address"): say what is there rather than leave the reader
		// guessing.
		if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
			return nil, &notRegularError{path: path, mode: info.Mode(), err: err}
		}
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &notRegularError{path: path, mode: info.Mode()}
	}
	n := max(limit, 0)
	if n < math.MaxInt64 {
		n++
	}
	return io.ReadAll(io.LimitReader(f, n))
}

// notRegularError reports something other than a regular file at path.
type notRegularError struct {
	path string
	mode fs.FileMode
	err  error // the error that opening it gave, if any
}

func (e *notRegularError) Error() string {
	return fmt.Sprintf("%s %s, not a regular file: move it away and put a regular file there, or use another path", e.path, kind(e.mode))
}

// Unwrap returns the error that opening the file gave, or nil.
func (e *notRegularError) Unwrap() error { return e.err }

// kind says what a file of mode m is, as the predicate of a sentence.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "is a directory"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "is a socket"
	case m&fs.ModeCharDevice != 0:
		return "is a character device"
	case m&fs.ModeDevice != 0:
		return "is a block device"
	default:
		return "is of an irregular type"
	}
}
