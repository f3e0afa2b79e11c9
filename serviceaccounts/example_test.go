package serviceaccounts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

func ExampleService_Create() {
	srv := anyscaletest.NewServer() // the fake API; use client.New() for the real one
	defer srv.Close()
	owner, _ := srv.Client(srv.Owner()) // only organization owners manage service accounts
	ctx := context.Background()
	sa := serviceaccounts.New(owner)

	created, err := sa.Create(ctx, "ci-deployer")
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(created.Account.Name)
	fmt.Println(strings.ReplaceAll(created.Account.Email, srv.OrgID(), "<org id>"))
	// created.Secret prints redacted; created.Secret.Reveal() is the raw
	// key, shown only now: store it in your CI system's secret store.
	fmt.Println("secret is redacted:", fmt.Sprint(created.Secret) != created.Secret.Reveal())

	// The secret authenticates as the service account.
	ci, _ := srv.ClientWithToken(created.Secret.Reveal())
	me, _ := ci.WhoAmI(ctx)
	fmt.Println("authenticates as it:", me.Email == created.Account.Email)

	// Its key lives 100 years unless KeyOptions.ExpiresIn says otherwise.
	for k, err := range sa.Keys(ctx, serviceaccounts.ByName("ci-deployer")) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("key lifetime:", k.Lifetime())
	}

	// Names are unique.
	_, err = sa.Create(ctx, "ci-deployer")
	fmt.Println("again:", errors.Is(err, client.ErrConflict))
	// Output:
	// ci-deployer
	// ci-deployer@org-<org id>.serviceaccount.com
	// secret is redacted: true
	// authenticates as it: true
	// key lifetime: 876000h0m0s
	// again: true
}

func ExampleService_RotateAPIKeys() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	etl := srv.AddServiceAccount("nightly-etl") // an existing account, with one key
	owner, _ := srv.Client(srv.Owner())
	ctx := context.Background()
	sa := serviceaccounts.New(owner)

	// Revoke every key of the account, then make one that lives 90 days.
	secret, err := sa.RotateKeys(ctx, serviceaccounts.ByName("nightly-etl"), serviceaccounts.KeyOptions{ExpiresIn: 90 * 24 * time.Hour})
	if err != nil {
		fmt.Println("error:", err)
		return
	}

	old, _ := srv.Client(etl) // the key the account had
	_, err = old.WhoAmI(ctx)
	fmt.Println("old key rejected:", errors.Is(err, client.ErrUnauthorized))

	fresh, _ := srv.ClientWithToken(secret.Reveal())
	me, err := fresh.WhoAmI(ctx)
	fmt.Println("new key works:", err == nil && me.Email == etl.Email)

	for k, err := range sa.Keys(ctx, serviceaccounts.ByEmail(etl.Email)) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("active key, lifetime:", k.Lifetime())
	}
	// Output:
	// old key rejected: true
	// new key works: true
	// active key, lifetime: 2160h0m0s
}
