//go:build !unix

package regfile

import "os"

// openFlags is a plain read-only open: these systems have no named pipes
// in the file system that an open could block on.
const openFlags = os.O_RDONLY
