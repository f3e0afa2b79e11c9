package auth_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/anyscale-go/anyscale/auth"
	"github.com/anyscale-go/anyscale/credentials"
)

// The SDK's default: ANYSCALE_CLI_TOKEN, then ~/.anyscale/credentials.json,
// then the token of the Anyscale workspace the program runs in.
func ExampleDefaultChain() {
	chain := auth.DefaultChain(auth.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, nil))))
	tok, err := chain.Token(context.Background())
	var none *auth.ChainError
	if errors.As(err, &none) {
		fmt.Println(err) // every source tried, and how to configure one
		return
	}
	if err != nil {
		fmt.Println(err) // a source is configured but broken: the error says how to fix it
		return
	}
	fmt.Println("using", tok) // the token prints redacted
}

func ExampleNewChain() {
	chain := auth.NewChain(
		auth.File(auth.WithPath("/nonexistent/credentials.json")),
		auth.Static("aph0_example0123456789abcdef"),
	)
	tok, err := chain.Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Source, tok.Origin, tok.Value)
	fmt.Println(tok)
	// Output:
	// static static aph0_…cdef
	// aph0_…cdef from static (static)
}

// A key that keys.Create, Rotate or login.Run returned arrives as a
// credentials.Secret; StaticSecret uses it as a token without Reveal, for
// example to check a freshly rotated key with client.WithProvider.
func ExampleStaticSecret() {
	var secret credentials.Secret = "aph0_example0123456789abcdef" // such as created.Secret
	tok, err := auth.StaticSecret(secret).Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok)
	fmt.Println(tok.Value == secret)
	// Output:
	// aph0_…cdef from static (static)
	// true
}

// The API host that goes with a token: the process's ANYSCALE_HOST (unset
// here), else the host that came with the token, as in an Anyscale
// workspace, else the default. A client given a base URL explicitly does
// not ask.
func ExampleResolveHost() {
	workspace := auth.Token{
		Value:  "aph0_example0123456789abcdef",
		Source: auth.SourceWorkspace,
		Origin: "/proc/1/environ (workspace injected environment)",
		Host:   "https://ws-1234.example.anyscale.com",
	}
	fmt.Println(auth.ResolveHost(workspace))
	fmt.Println(auth.ResolveHost(auth.Token{}))
	// Output:
	// https://ws-1234.example.anyscale.com /proc/1/environ (workspace injected environment)
	// https://console.anyscale.com default
}

func ExampleChain_Explain() {
	chain := auth.NewChain(
		auth.File(auth.WithPath("/nonexistent/credentials.json")),
		auth.Static("aph0_example0123456789abcdef"),
		auth.Static("aph0_example0123456789abcdef"),
		auth.Static("aph0_another0123456789abcdef"),
	)
	report := chain.Explain(context.Background())
	fmt.Println(report)
	fmt.Println(report.Used().Source, report.Entries[2].SameAsUsed, report.Entries[3].SameAsUsed)
	// Output:
	// SOURCE  STATUS       ORIGIN                         FINGERPRINT          REASON
	// file    unavailable  /nonexistent/credentials.json  -                    no such file
	// static  used         static                         sha256:a35b3a0fde49  first source with a token
	// static  shadowed     static                         sha256:a35b3a0fde49  shadowed by static; same token
	// static  shadowed     static                         sha256:7d1938f942cd  shadowed by static; different token
	// host: https://console.anyscale.com (from default)
	// result: the token from static (static)
	// static true false
}

func ExampleChainError() {
	chain := auth.NewChain(auth.File(auth.WithPath("/nonexistent/credentials.json")))
	_, err := chain.Token(context.Background())
	var none *auth.ChainError
	fmt.Println(errors.As(err, &none), errors.Is(err, auth.ErrUnavailable))
	fmt.Println(err)
	// Output:
	// true true
	// auth: no Anyscale credentials found; tried, in order:
	//   file  /nonexistent/credentials.json  no such file
	// To configure one, run `anyscale login`, or set ANYSCALE_CLI_TOKEN to an API key created in the console.
}

// A custom source, such as a secret manager, joins a chain as a Provider.
// Returning an error that matches auth.ErrUnavailable lets the chain move
// on; any other error stops it.
func ExampleProviderFunc() {
	vault := auth.ProviderFunc(func(ctx context.Context) (auth.Token, error) {
		return auth.Token{}, fmt.Errorf("vault: no address configured: %w", auth.ErrUnavailable)
	})
	tok, err := auth.NewChain(vault, auth.Static("aph0_example0123456789abcdef")).Token(context.Background())
	fmt.Println(tok, err)
	// Output:
	// aph0_…cdef from static (static) <nil>
}
