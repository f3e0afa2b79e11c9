// Package cmdutil is what every command of anyscale-keys shares: the
// Factory that hands a command its streams and its client, the exit codes
// and how an error maps to one, the output formats and their stable JSON
// shapes, the confirmation rule for destructive commands, and durations
// such as "30d".
package cmdutil
