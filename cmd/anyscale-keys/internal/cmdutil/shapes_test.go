package cmdutil_test

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/keys"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
)

// object marshals v and decodes it as a JSON object.
func object(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out), string(b))
	return out
}

func names(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

var paris = time.FixedZone("CET", 3600)

func sampleKey() keys.Key {
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, paris)
	expires := created.Add(30 * 24 * time.Hour)
	return keys.Key{ID: "abc123", DisplayID: "key_0123abcd", Name: "ci", CreatedBy: "usr_1", OwnerID: "usr_1",
		CreatedAt: created, ExpiresAt: &expires}
}

// A key's JSON is the SDK's keys.Key marshaled, times in UTC, with its
// status added: the names the CLI documents, and no other.
func TestKeyShapeIsTheSDKs(t *testing.T) {
	k := sampleKey()
	now := k.CreatedAt.Add(time.Hour)
	got := object(t, cmdutil.KeyOf(k, now))
	assert.Equal(t, []string{"created_at", "created_by", "display_id", "expires_at", "id", "last_used_at", "name", "owner_id", "revoked_at", "status"}, names(got))
	assert.Equal(t, "active", got["status"])
	assert.Equal(t, "2026-11-01T09:00:00Z", got["created_at"], "RFC 3339 in UTC")
	assert.Nil(t, got["last_used_at"], "a missing time is null")

	delete(got, "status")
	k.CreatedAt = k.CreatedAt.UTC()
	expires := k.ExpiresAt.UTC()
	k.ExpiresAt = &expires
	assert.Equal(t, object(t, k), got, "one shape: keys.Key's own, plus the status")

	k.OwnerID = ""
	assert.NotContains(t, object(t, cmdutil.KeyOf(k, now)), "owner_id", "an unknown owner is left out")
	assert.Equal(t, "expired", object(t, cmdutil.KeyOf(k, expires.Add(time.Second)))["status"])
}

func TestMemberAndServiceAccountShapesAreTheSDKs(t *testing.T) {
	created := time.Date(2026, 11, 1, 10, 0, 0, 0, paris)
	//lint:ignore SA1019 the deprecated alias is set as the SDK sets it, to show it is not marshaled
	m := organization.Member{IdentityID: "ide_1", ID: "ide_1", UserID: "usr_1", Email: "ada@example.com", Name: "Ada",
		PermissionLevel: "owner", CreatedAt: created}
	got := object(t, cmdutil.MemberOf(m))
	assert.Equal(t, []string{"created_at", "email", "id", "name", "permission_level", "service_account", "user_id"}, names(got))
	assert.Equal(t, "ide_1", got["id"], "the identity id, once")
	assert.Equal(t, "2026-11-01T09:00:00Z", got["created_at"])
	assert.Equal(t, object(t, m)["email"], got["email"])

	//lint:ignore SA1019 as above
	sa := serviceaccounts.ServiceAccount{IdentityID: "ide_2", ID: "ide_2", UserID: "usr_2", Name: "ci", Email: "ci@org-x.serviceaccount.com",
		PermissionLevel: "collaborator", CreatedAt: created}
	got = object(t, cmdutil.ServiceAccountOf(sa))
	assert.Equal(t, []string{"created_at", "email", "id", "name", "permission_level", "user_id"}, names(got))
	assert.Equal(t, "ide_2", got["id"])
	sa.OrganizationID = "org_1"
	assert.Equal(t, "org_1", object(t, cmdutil.ServiceAccountOf(sa))["organization_id"], "known on a new account")

	var back serviceaccounts.ServiceAccount
	b, err := json.Marshal(cmdutil.ServiceAccountOf(sa))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, "ide_2", back.IdentityID, "read back")
}

// The JSON shapes carry an error's facts, not the SDK's Go-worded advice,
// in the order the ids were given; the lists are never null.
func TestRevokeResultShape(t *testing.T) {
	err := advice.Wrap(errors.New("key abc: 500 Internal Server Error"), advice.Advice{Action: advice.CheckFirst, Subject: "abc"},
		"check with Keys(ctx) before calling RevokeMany again")
	got := object(t, cmdutil.RevokeResultOf(&keys.RevokeResult{Failed: map[string]error{"abc": err, "aaa": errors.New("x")}}, []string{"abc", "aaa"}))
	assert.Equal(t, []string{"failed", "not_found", "revoked"}, names(got))
	assert.Equal(t, []any{}, got["revoked"])
	assert.Equal(t, []any{}, got["not_found"])
	assert.Equal(t, []any{
		map[string]any{"id": "aaa", "error": "x"},
		map[string]any{"id": "abc", "error": "key abc: 500 Internal Server Error"},
	}, got["failed"], "a result made by hand: by id")

	shape := cmdutil.RevokeResultOf(&keys.RevokeResult{Failed: map[string]error{"abc": err}}, nil)
	require.Len(t, shape.Failed, 1)
	assert.Equal(t, "key abc: 500 Internal Server Error", shape.Failed[0].Error, "the facts")

	// One shape: the SDK's marshaled, and it flattens when embedded.
	r := &keys.RevokeResult{Revoked: []string{"a"}, NotFound: []string{"b"}, Failed: map[string]error{"c": err}}
	assert.Equal(t, object(t, r), object(t, cmdutil.RevokeResultOf(r, nil)))
	embedded := object(t, struct {
		SavedTo string `json:"saved_to"`
		cmdutil.RevokeResult
	}{"x", cmdutil.RevokeResultOf(r, nil)})
	assert.Equal(t, []string{"failed", "not_found", "revoked", "saved_to"}, names(embedded))
}

func TestAuditShape(t *testing.T) {
	k := sampleKey()
	at := k.CreatedAt.Add(time.Hour)
	r := &keys.AuditReport{At: at, Checked: 3, Findings: []keys.Finding{{Key: k, Kind: keys.FindingUnused, Detail: "never used", Action: "revoke it"}}}
	got := object(t, cmdutil.AuditOf(r))
	assert.Equal(t, []string{"at", "checked", "findings"}, names(got))
	assert.Equal(t, "2026-11-01T10:00:00Z", got["at"])
	findings := got["findings"].([]any)
	require.Len(t, findings, 1)
	f := findings[0].(map[string]any)
	assert.Equal(t, []string{"action", "detail", "key", "kind", "service_account"}, names(f), "owner_email is left out when empty")
	assert.Equal(t, "active", f["key"].(map[string]any)["status"])
	assert.Equal(t, object(t, cmdutil.KeyOf(k, at)), f["key"])

	sdk := object(t, r)
	sdkFinding := sdk["findings"].([]any)[0].(map[string]any)
	delete(f, "key")
	delete(sdkFinding, "key")
	assert.Equal(t, sdkFinding, f, "one shape: keys.Finding's own")
	assert.Equal(t, []any{}, object(t, cmdutil.AuditOf(&keys.AuditReport{At: at}))["findings"], "never null")
}
