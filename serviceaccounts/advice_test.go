package serviceaccounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/advice/advicetest"
	"github.com/anyscale-go/anyscale/organization"
	"github.com/anyscale-go/anyscale/serviceaccounts"
	"github.com/anyscale-go/anyscale/tests/apimock"
)

const (
	ciEmail = "ci@org-x.serviceaccount.com"
	denied  = `{"error":{"detail":"permission denied"}}`
	boom    = `{"error":{"detail":"boom"}}`
)

// Every error of the package that says what to do next carries it as
// data, the sentence in Go terms ends its text, and its facts name no Go
// identifier.
func TestAdvice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	needOwner := advice.Advice{Action: client.ActionNeedOwner}
	run := func(setup func(m *apimock.API), call func(s *serviceaccounts.Service) error) error {
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci"), collab("ci2", "ci-2"), collab("twin", "twin"), collab("twin2", "twin")))
		setup(m)
		return call(serviceaccounts.New(m.Client))
	}
	create := func(s *serviceaccounts.Service) error { _, err := s.Create(ctx, "ci"); return err }
	createKey := func(s *serviceaccounts.Service) error {
		_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"))
		return err
	}
	rotate := func(s *serviceaccounts.Service) error {
		_, err := s.RotateKeys(ctx, serviceaccounts.ByName("ci"))
		return err
	}
	none := func(*apimock.API) {}
	advicetest.Check(t, []advicetest.Case{
		{Name: "Create may have acted", Err: run(func(m *apimock.API) { m.On("POST", createPath, 500, boom) }, create),
			Want: []advice.Advice{{Action: client.ActionGetFirst, Subject: "ci"}}},
		{Name: "Create refused", Err: run(func(m *apimock.API) { m.On("POST", createPath, 403, denied) }, create),
			Want: []advice.Advice{needOwner}},
		{Name: "Create without a user id", Err: run(func(m *apimock.API) { m.On("POST", createPath, 200, apimock.Result(`{"name":"ci"}`)) }, create),
			Want: []advice.Advice{{Action: client.ActionCreateKey, Subject: "ci"}}},
		{Name: "Create's key lost", Err: run(func(m *apimock.API) {
			m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
			m.On("POST", keyPath, 500, boom)
		}, create), Want: []advice.Advice{{Action: client.ActionRotateKeys, Subject: ciEmail}}},
		{Name: "Create's key refused", Err: run(func(m *apimock.API) {
			m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
			m.On("POST", keyPath, 403, denied)
		}, create), Want: []advice.Advice{{Action: client.ActionCreateKey, Subject: ciEmail}, needOwner}},
		{Name: "Create's key invalid", Err: run(func(m *apimock.API) {
			m.On("POST", createPath, 200, apimock.Result(saJSON("ci", "ci")))
			m.On("POST", keyPath, 422, `{"error":{"detail":"bad duration"}}`)
		}, create), Want: []advice.Advice{{Action: client.ActionCreateKey, Subject: ciEmail}}},
		{Name: "Get none", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.Get(ctx, serviceaccounts.ByName("nope"))
			return err
		}),
			Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "nope"}}},
		{Name: "Get none by email", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.Get(ctx, serviceaccounts.ByEmail("nope@x.com"))
			return err
		}), Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "nope@x.com"}}},
		{Name: "Get differs in case", Err: run(none, func(s *serviceaccounts.Service) error { _, err := s.Get(ctx, serviceaccounts.ByName("CI")); return err }),
			Want: []advice.Advice{{Action: client.ActionListToFind, Subject: "CI"}}},
		{Name: "Get several", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.Get(ctx, serviceaccounts.ByName("twin"))
			return err
		}),
			Want: []advice.Advice{{Action: client.ActionRefine, Subject: "twin"}}},
		{Name: "CreateKey lost", Err: run(func(m *apimock.API) { m.On("POST", keyPath, 500, boom) }, createKey),
			Want: []advice.Advice{{Action: client.ActionRotateKeys, Subject: ciEmail}}},
		{Name: "CreateKey refused", Err: run(func(m *apimock.API) { m.On("POST", keyPath, 403, denied) }, createKey),
			Want: []advice.Advice{needOwner}},
		{Name: "RotateKeys refused", Err: run(func(m *apimock.API) { m.On("POST", revokeAllFor+"usr_ci", 403, denied) }, rotate),
			Want: []advice.Advice{needOwner}},
		{Name: "RotateKeys refused on its own token", Err: run(func(m *apimock.API) {
			m.On("POST", revokeAllFor+"usr_ci", 403, denied)
			m.On("GET", "/api/v2/userinfo/", 200, `{"result":{"id":"usr_ci"}}`)
		}, rotate), Want: []advice.Advice{{Action: client.ActionRotateOwnKey, Subject: ciEmail}, needOwner}},
		{Name: "RotateKeys refused to another account", Err: run(func(m *apimock.API) {
			m.On("POST", revokeAllFor+"usr_ci", 403, denied)
			m.On("GET", "/api/v2/userinfo/", 200, `{"result":{"id":"usr_someone"}}`)
		}, rotate), Want: []advice.Advice{needOwner}},
		{Name: "RotateKeys revoke lost", Err: run(func(m *apimock.API) { m.On("POST", revokeAllFor+"usr_ci", 502, boom) }, rotate),
			Want: []advice.Advice{{Action: client.ActionRotateKeys, Subject: ciEmail}}},
		{Name: "RotateKeys new key lost", Err: run(func(m *apimock.API) {
			m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
			m.On("POST", keyPath, 500, boom)
		}, rotate), Want: []advice.Advice{{Action: client.ActionRotateKeys, Subject: ciEmail}}},
		{Name: "RotateKeys new key refused", Err: run(func(m *apimock.API) {
			m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
			m.On("POST", keyPath, 403, denied)
		}, rotate), Want: []advice.Advice{{Action: client.ActionCreateKey, Subject: ciEmail}, needOwner}},
		{Name: "RevokeAllKeys refused", Err: run(func(m *apimock.API) { m.On("POST", revokeAllFor+"usr_ci", 403, denied) },
			func(s *serviceaccounts.Service) error { return s.RevokeAllKeys(ctx, serviceaccounts.ByName("ci")) }),
			Want: []advice.Advice{needOwner}},
		{Name: "Keys refused", Err: run(func(m *apimock.API) { m.On("GET", adminKeys, 403, denied) },
			func(s *serviceaccounts.Service) error {
				for _, err := range s.Keys(ctx, serviceaccounts.ByName("ci")) {
					return err
				}
				return nil
			}), Want: []advice.Advice{needOwner}},
		{Name: "Delete refused", Err: run(func(m *apimock.API) { m.On("DELETE", membersPath+"ide_ci", 403, denied) },
			func(s *serviceaccounts.Service) error { return s.Delete(ctx, serviceaccounts.ByName("ci")) }),
			Want: []advice.Advice{needOwner}},
		{Name: "bad lifetime", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.KeyOptions{ExpiresIn: -time.Hour})
			return err
		})},
		{Name: "WithExpiresIn(0)", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.CreateKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.WithExpiresIn(0)) // the deprecated spelling
			return err
		})},
		{Name: "empty reference", Err: run(none, func(s *serviceaccounts.Service) error { return s.Delete(ctx, serviceaccounts.Ref{}) })},
		{Name: "bad name", Err: run(none, func(s *serviceaccounts.Service) error { _, err := s.Create(ctx, "-ci"); return err })},
		{Name: "page size", Err: run(none, func(s *serviceaccounts.Service) error {
			_, err := s.List(ctx, serviceaccounts.ListOptions{PageSize: 51})
			return err
		})},
	})
}

// One clause per layer: the package name starts the text once, and no
// other package's name follows it.
func TestOnePackagePrefix(t *testing.T) {
	t.Parallel()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", keyPath, 500, boom)
	s := serviceaccounts.New(m.Client)
	_, lost := s.CreateKey(context.Background(), serviceaccounts.ByName("ci"))
	_, lifetime := s.CreateKey(context.Background(), serviceaccounts.ByName("ci"), serviceaccounts.KeyOptions{ExpiresIn: -1})
	_, page := s.List(context.Background(), serviceaccounts.ListOptions{PageSize: -1})
	for _, err := range []error{lost, lifetime, page} {
		require.Error(t, err)
		assert.Regexp(t, `^serviceaccounts: `, err.Error())
		assert.Equal(t, 1, strings.Count(err.Error(), "serviceaccounts: "), err)
		assert.NotContains(t, err.Error(), "keys: ")
		assert.NotContains(t, err.Error(), "organization: ")
	}
	assert.Contains(t, lost.Error(), "serviceaccounts: creating a key for ci@org-x.serviceaccount.com: ")
}

// A Ref is organization's: every form of reference names a service
// account, and the deprecated verbs still work.
func TestRefIsOrganizations(t *testing.T) {
	t.Parallel()
	var ref serviceaccounts.Ref = organization.ByName("ci")
	assert.Equal(t, serviceaccounts.ByName("ci"), ref)
	for _, ref := range []serviceaccounts.Ref{serviceaccounts.ByName("ci"), serviceaccounts.ByEmail("CI@org-x.serviceaccount.com"),
		organization.ByUserID("usr_ci"), organization.ByIdentityID("ide_ci")} {
		m := apimock.New(t)
		m.On("GET", membersPath, 200, apimock.List("", collab("ci2", "ci-2"), collab("ci", "ci")))
		got, err := serviceaccounts.New(m.Client).Get(context.Background(), ref)
		require.NoError(t, err, ref)
		assert.Equal(t, ci, *got, ref)
	}
}

// The deprecated verbs do what the new ones do.
func TestDeprecatedVerbs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := apimock.New(t)
	m.On("GET", membersPath, 200, apimock.List("", collab("ci", "ci")))
	m.On("POST", revokeAllFor+"usr_ci", 200, `{"result":{}}`)
	m.On("POST", keyPath, 200, sessionOK)
	s := serviceaccounts.New(m.Client)
	got, err := s.CreateAPIKey(ctx, serviceaccounts.ByName("ci"), serviceaccounts.WithExpiresIn(time.Hour)) // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, secret, got.Reveal())
	got, err = s.RotateAPIKeys(ctx, serviceaccounts.ByName("ci")) // the deprecated spelling
	require.NoError(t, err)
	assert.Equal(t, secret, got.Reveal())
	require.NoError(t, s.RevokeAllAPIKeys(ctx, serviceaccounts.ByName("ci"))) // the deprecated spelling
	assert.Equal(t, []string{
		"GET " + membersPath, "POST " + keyPath,
		"GET " + membersPath, "POST " + revokeAllFor + "usr_ci", "POST " + keyPath,
		"GET " + membersPath, "POST " + revokeAllFor + "usr_ci",
	}, m.Paths())
	assert.JSONEq(t, `{"duration":3600,"user_id":"usr_ci"}`, m.Calls()[1].Body)
}
