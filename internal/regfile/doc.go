// Package regfile reads small files that must be regular files, such as
// the credentials file and a workspace's injected environment. It opens
// them without blocking and checks what it opened, so that a named pipe,
// a device, a socket or a directory at the path is an error at once,
// never a read that waits forever for a writer.
package regfile
