package keys_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

// Every error of the package that says what to do next carries it as
// data, and no error's facts name a Go identifier.
func TestAdvice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := apimock.New(t)
	m.On("POST", "/api/v2/users/create_api_key", 500, `{"error":{"detail":"boom"}}`)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List(""))
	ks := keys.New(m.Client)
	_, lost := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	_, noExpiry := ks.Create(ctx, keys.CreateRequest{Name: "ci"})
	_, tooLong := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: keys.MaxLifetime + time.Second})
	_, ownScope := ks.List(ctx, keys.ListOptions{Owner: organization.ByEmail("a@b.c")})
	_, twoOwners := ks.Org().List(ctx, keys.ListOptions{Owner: organization.ByEmail("a@b.c"), OwnerID: "usr_1"}) // the deprecated spelling
	_, noOwner := ks.Org().List(ctx, keys.ListOptions{Owner: organization.ByEmail("nobody@example.com")})
	_, pageToken := ks.Org().Audit(ctx, keys.AuditOptions{List: keys.ListOptions{PageToken: "p2"}})
	_, saLifetime := ks.Org().CreateFor(ctx, organization.ByUserID("usr_1"), keys.CreateRequest{})
	advicetest.Check(t, []advicetest.Case{
		{Name: "create may have acted", Err: lost, Want: []advice.Advice{{Action: client.ActionGetFirst, Subject: "ci"}}},
		{Name: "owner not found", Err: noOwner, Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "nobody@example.com"}}},
		{Name: "no expiry", Err: noExpiry},
		{Name: "over 30 days", Err: tooLong},
		{Name: "owner filter on the own scope", Err: ownScope},
		{Name: "two owner filters", Err: twoOwners},
		{Name: "page token without owner", Err: pageToken},
		{Name: "service account lifetime", Err: saLifetime},
		{Name: "invalid id", Err: ks.Revoke(ctx, "..")},
		{Name: "empty id", Err: ks.Revoke(ctx, "")},
		{Name: "lifetime check", Err: keys.CheckServiceAccountKeyLifetime(0)},
	})
}

// One clause per layer: a package name starts an error once at most, and
// no other package's name is stacked on it.
func TestOnePackagePrefix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := apimock.New(t)
	m.On("GET", "/api/v2/userinfo/", 200, `{"result":{"id":"usr_1","email":"a@example.com","organization_permission_level":"owner"}}`)
	m.On("GET", "/api/v2/organization_collaborators/", 200, apimock.List(""))
	ks := keys.New(m.Client)
	_, badIDs := ks.RevokeMany(ctx, []string{"..", "k1"})
	_, auditPage := ks.Audit(ctx, keys.AuditOptions{List: keys.ListOptions{PageSize: 51}})
	_, orgAuditPage := ks.Org().Audit(ctx, keys.AuditOptions{List: keys.ListOptions{PageSize: 51}})
	_, orgAuditOwner := ks.Org().Audit(ctx, keys.AuditOptions{List: keys.ListOptions{Owner: organization.ByEmail("nobody@example.com")}})
	_, createFor := ks.Org().CreateFor(ctx, organization.ByEmail("nobody@example.com"), keys.CreateRequest{ExpiresIn: time.Hour})
	for _, err := range []error{badIDs, auditPage, orgAuditPage, orgAuditOwner, createFor, ks.Revoke(ctx, ".."), ks.Org().RevokeAll(ctx, organization.ByUserID(""))} {
		if !assert.Error(t, err) {
			continue
		}
		n := 0
		for _, pkg := range []string{"keys: ", "organization: ", "serviceaccounts: "} {
			n += strings.Count(err.Error(), pkg)
		}
		assert.Equal(t, 1, n, "one package name: %v", err)
	}
}
