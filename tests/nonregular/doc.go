// Package nonregular makes, for tests, the things a path can name that
// are not regular files (a named pipe, a socket, a directory, a device),
// and guards a call against the hang a named pipe causes: the helpers the
// tests of internal/regfile, credentials and auth share, which check that
// such a path is refused at once, never read.
//
//	path := filepath.Join(t.TempDir(), "credentials.json")
//	nonregular.MakeFIFO(t, path)
//	nonregular.Promptly(t, "Load", path, func() { _, err = credentials.Load(path) })
package nonregular
