// Command anyscale-keys works with Anyscale API keys, service accounts and
// organization members from CI jobs and shells: one static binary on the
// Go SDK, no Python needed.
//
//	go install github.com/anyscale-go/anyscale/cmd/anyscale-keys@latest
//	anyscale-keys keys create ci-deploy --expires 30d > secret.txt
//	anyscale-keys keys audit --org --fail-on-findings
//
// Run "anyscale-keys help" for the commands and the exit codes.
package main

import (
	"os"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/root"
)

func main() { os.Exit(root.Main(os.Args[1:], iostreams.System())) }
