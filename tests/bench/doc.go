// Package bench holds the SDK's benchmarks, each SDK figure next to a
// hand-written net/http + encoding/json baseline doing the same work
// against the same loopback server in the same run. BENCHMARKS.md at the
// repository's root gives the commands and the ratios.
package bench
