package organization_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/organization"
)

func ExampleService_Remove() {
	srv := anyscaletest.NewServer() // the fake API; use client.New() for the real one
	defer srv.Close()
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	srv.AddServiceAccount("ci-deployer")
	owner, _ := srv.Client(srv.Owner()) // only organization owners remove members
	ctx := context.Background()
	org := organization.New(owner)

	// Removing a member revokes every one of its API keys at once.
	if err := org.Remove(ctx, "Ada@Example.com"); err != nil {
		fmt.Println("error:", err)
		return
	}
	adaClient, _ := srv.Client(ada)
	_, err := adaClient.WhoAmI(ctx)
	fmt.Println("ada's key rejected:", errors.Is(err, client.ErrUnauthorized))

	// Nobody can remove themselves, and an unknown email is not found.
	err = org.Remove(ctx, "owner@example.com")
	fmt.Println("remove yourself:", errors.Is(err, client.ErrForbidden))
	err = org.Remove(ctx, "ada@example.com")
	fmt.Println("remove again:", errors.Is(err, client.ErrNotFound))

	for m, err := range org.All(ctx, organization.ListOptions{Kind: organization.UserAccounts}) {
		if err != nil {
			fmt.Println("error:", err)
			return
		}
		fmt.Println("member:", m.Email, m.PermissionLevel)
	}
	// Output:
	// ada's key rejected: true
	// remove yourself: true
	// remove again: true
	// member: owner@example.com owner
}
