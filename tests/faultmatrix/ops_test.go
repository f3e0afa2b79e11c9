package faultmatrix_test

import (
	"context"
	"iter"
	"slices"
	"testing"

	"github.com/anyscale-go/anyscale/keys"
)

// The requests the faults meet.
const (
	pathUserInfo       = "/api/v2/userinfo/"
	pathCreateKey      = "/api/v2/users/create_api_key"
	pathOwnKeys        = "/api/v2/users/api_keys"
	pathOwnKey         = "/api/v2/users/api_keys/"
	pathOwnBulk        = "/api/v2/users/api_keys/revoke"
	pathRotate         = "/api/v2/users/rotate_api_key"
	pathLoginPoll      = "/api/v2/users/request_otp_token/"
	pathAdminKeys      = "/api/v2/users/admin/api_keys"
	pathAdminKey       = "/api/v2/users/admin/api_keys/"
	pathAdminBulk      = "/api/v2/users/admin/api_keys/revoke"
	pathRevokeAllUser  = "/api/v2/organization_collaborators/rotate_api_key_for_user/"
	pathMembers        = "/api/v2/organization_collaborators/"
	pathServiceAccount = "/api/v2/users/service_accounts"
)

// operation is a row of the matrix: a public SDK operation and the
// request of it that the fault meets.
type operation struct {
	// name names the operation and, in brackets, the faulted request.
	name         string
	method, path string
	class        class
	// start seeds the server for the operation and returns the call and
	// the check of its result and of the server's state, given the cell's
	// expectation and the call's error (already checked against it).
	start func(t *testing.T, e *env) (run func(ctx context.Context) error, check func(t *testing.T, x expectation, err error))
	// faultedConn, for a request marked not idempotent, is which
	// connection the call gets (from 1) carries the faulted request: the
	// drop and lost cells check that it was a fresh one, which net/http
	// never replays on, though a warm one was there to reuse.
	faultedConn int
}

// operations are the rows of the matrix, in the order printed.
var operations = slices.Concat(keyOperations, orgKeyOperations, memberOperations, serviceAccountOperations)

// collect appends every item of seq to got, and returns the first error.
func collect[T any](seq iter.Seq2[T, error], got *[]T) error {
	for item, err := range seq {
		if err != nil {
			return err
		}
		*got = append(*got, item)
	}
	return nil
}

func keyIDs(ks []keys.Key) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.ID
	}
	return out
}

// hasFinding reports whether report has a finding of kind on the key with
// id, owned by ownerEmail.
func hasFinding(report *keys.AuditReport, id string, kind keys.FindingKind, ownerEmail string) bool {
	for _, f := range report.Findings {
		if f.Key.ID == id && f.Kind == kind && f.OwnerEmail == ownerEmail {
			return true
		}
	}
	return false
}
