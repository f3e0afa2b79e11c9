// Package credentials owns where an Anyscale token lives on disk and how it
// is kept out of sight in memory. It does no network I/O.
//
// A token is a [Secret]: every printing path (fmt verbs, slog, JSON) shows a
// redacted form, and [Secret.Reveal] is the only way to the raw value.
//
//	path, _ := credentials.DefaultPath()           // ~/.anyscale/credentials.json
//	f, err := credentials.Load(path)
//	if errors.Is(err, fs.ErrNotExist) { /* run `anyscale login` */ }
//	fmt.Println(f.CLIToken)                         // aph0_…3f9a
//	err = credentials.Save(path, f.CLIToken)        // atomic, 0600
package credentials
