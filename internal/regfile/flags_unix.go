//go:build unix

package regfile

import (
	"os"
	"syscall"
)

// openFlags opens without blocking: open(2) of a named pipe otherwise
// waits for a writer. On a regular file O_NONBLOCK changes nothing.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK
