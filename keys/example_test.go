package keys_test

import (
	"context"
	"fmt"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
)

func ExampleService_Create() {
	srv := anyscaletest.NewServer() // the fake API; use client.New() for the real one
	defer srv.Close()
	c, _ := srv.Client(srv.Owner())

	created, err := keys.New(c).Create(context.Background(), keys.CreateRequest{
		Name:      "ci-deploy",
		ExpiresIn: keys.MaxLifetime,
	})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(created.Key.Name, created.Key.Status(srv.Now()))
	fmt.Println("lifetime:", created.Key.Lifetime())
	// created.Secret prints redacted; created.Secret.Reveal() is the raw
	// key, shown only now: store it in your secret manager.
	fmt.Println("secret is redacted:", fmt.Sprint(created.Secret) != created.Secret.Reveal())
	// Output:
	// ci-deploy active
	// lifetime: 720h0m0s
	// secret is redacted: true
}

func ExampleService_All() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	adaClient, _ := srv.Client(ada)
	for _, name := range []string{"laptop", "notebook", "cron"} {
		_, _ = keys.New(adaClient).Create(context.Background(), keys.CreateRequest{Name: name, ExpiresIn: 24 * time.Hour})
	}

	owner, _ := srv.Client(srv.Owner())
	// Every key of one member, two a page, newest first.
	for k, err := range keys.New(owner).Org().All(context.Background(), keys.ListOptions{
		Owner:    organization.ByEmail("ada@example.com"),
		Name:     "o", // search by name
		PageSize: 2,
	}) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println(k.Name)
	}
	// Output:
	// cron
	// notebook
	// laptop
}

func ExampleService_RevokeMany() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	c, _ := srv.Client(srv.Owner())
	ks := keys.New(c)

	var ids []string
	for i := range 3 {
		k, _ := ks.Create(context.Background(), keys.CreateRequest{Name: fmt.Sprintf("temp-%d", i), ExpiresIn: time.Hour})
		ids = append(ids, k.Key.ID)
	}
	ids = append(ids, "no-such-key")

	// Every id lands in exactly one list; the error is set only when some
	// key may still be active (Failed).
	res, err := ks.RevokeMany(context.Background(), ids)
	if err != nil {
		fmt.Println("may still be active:", len(res.Failed), err)
		return
	}
	fmt.Println("revoked:", len(res.Revoked))
	fmt.Println("no active key:", res.NotFound)
	// Output:
	// revoked: 3
	// no active key: [no-such-key]
}

func ExampleOrgService_Audit() {
	srv := anyscaletest.NewServer(anyscaletest.WithOwnerEmail("owner@example.com"))
	defer srv.Close()
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	srv.AddLegacyKey(ada, "old-laptop") // made before keys had to expire
	owner, _ := srv.Client(srv.Owner())

	report, err := keys.New(owner).Org().Audit(context.Background(), keys.AuditOptions{Now: srv.Now})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(report.Checked, "active keys checked")
	for _, f := range report.Findings {
		fmt.Printf("%s: %s (%s)\n", f.OwnerEmail, f.Kind, f.Detail)
	}
	// Output:
	// 3 active keys checked
	// ada@example.com: legacy-no-expiry (never expires)
	// ada@example.com: unused (never used since it was created 0h ago)
	// ada@example.com: unused (never used since it was created 0h ago)
}
