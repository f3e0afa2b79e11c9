package anyscaletest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
	"github.com/anyscale-go/anyscale/keys"
)

// Example shows the fake answering a plain HTTP client: who am I, then a
// key created and an injected rate limit.
func Example() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	alice := srv.AddUser("alice@example.com", anyscaletest.Collaborator)

	do := func(method, path, body string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			panic(err)
		}
		return resp
	}

	resp := do("GET", "/api/v2/userinfo/", "")
	var me struct {
		Result struct {
			Email string `json:"email"`
			Level string `json:"organization_permission_level"`
		} `json:"result"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	fmt.Println(me.Result.Email, me.Result.Level)

	resp = do("POST", "/api/v2/users/create_api_key", `{"duration": 86400, "name": "laptop"}`)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, len(srv.Keys(alice)))

	srv.FailNext(anyscaletest.Fault{Status: 429, RetryAfter: "2"})
	resp = do("GET", "/api/v2/users/api_keys", "")
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"))

	fmt.Println(alice.Token == "", strings.Contains(fmt.Sprint(alice), alice.Token))
	// Output:
	// alice@example.com collaborator
	// 200 2
	// 429 2
	// false false
}

// ExampleWithUnknownRevokeAnswer shows a bulk revoke that revokes the key
// but answers with a count and no list of revoked ids.
func ExampleWithUnknownRevokeAnswer() {
	srv := anyscaletest.NewServer(anyscaletest.WithUnknownRevokeAnswer())
	defer srv.Close()
	alice := srv.AddUser("alice@example.com", anyscaletest.Collaborator)
	id, _ := srv.AddKey(alice, "laptop", time.Hour)

	body := `{"api_key_ids": ["` + id + `"]}`
	req, _ := http.NewRequest("POST", srv.URL+"/api/v2/users/api_keys/revoke", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+alice.Token)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Result map[string]any `json:"result"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&answer)
	_, listed := answer.Result["revoked"]
	k, _ := srv.Key(id)
	fmt.Println(resp.StatusCode, answer.Result["num_revoked"], listed, k.RevokedAt != nil)
	// Output:
	// 200 1 false true
}

// ExampleServer_SetLastUsed shows last_used_at in a key list: set for a
// stale key, null for a key never used. The list request itself is a use
// of the key that made it.
func ExampleServer_SetLastUsed() {
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	srv := anyscaletest.NewServer(anyscaletest.WithClock(start))
	defer srv.Close()
	alice := srv.AddUser("alice@example.com", anyscaletest.Collaborator)
	srv.AddKey(alice, "ci-unused", 24*time.Hour)
	stale, _ := srv.AddKey(alice, "ci-stale", 24*time.Hour)
	srv.SetLastUsed(stale, start.Add(-90*24*time.Hour))

	req, _ := http.NewRequest("GET", srv.URL+"/api/v2/users/api_keys?name=ci-", nil)
	req.Header.Set("Authorization", "Bearer "+alice.Token)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var list struct {
		Results []struct {
			Name       string  `json:"name"`
			LastUsedAt *string `json:"last_used_at"`
		} `json:"results"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&list)
	for _, k := range list.Results {
		if k.LastUsedAt == nil {
			fmt.Println(k.Name, "never used")
			continue
		}
		fmt.Println(k.Name, *k.LastUsedAt)
	}
	fmt.Println("alice's own key:", srv.Keys(alice)[0].LastUsedAt.Format(time.RFC3339))
	// Output:
	// ci-stale 2029-10-03T00:00:00+00:00
	// ci-unused never used
	// alice's own key: 2030-01-01T00:00:00Z
}

// ExampleFault shows two cells of a fault matrix on key creation: the real
// answer cut mid-way (the key exists, its secret never arrives whole), and
// an answer that is not JSON given before the server acted (no key).
func ExampleFault() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	alice := srv.AddUser("alice@example.com", anyscaletest.Collaborator)

	create := func(name string) {
		body := `{"duration": 3600, "name": "` + name + `"}`
		req, _ := http.NewRequest("POST", srv.URL+"/api/v2/users/create_api_key", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+alice.Token)
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, json.Valid(b), err, len(srv.Keys(alice)))
	}

	srv.FailNext(anyscaletest.Fault{PathPrefix: anyscaletest.PathCreateKey, CutBody: true})
	create("cut")
	srv.FailNext(anyscaletest.Fault{PathPrefix: anyscaletest.PathCreateKey, Body: anyscaletest.MalformedJSON})
	create("malformed")
	// Output:
	// 200 false unexpected EOF 2
	// 200 false <nil> 2
}

// ExampleServer_Advance shows the aging-keys pattern: keys made, then the
// clock moved; the owner's own client still works, and the code under
// test judges the keys on the fake's clock.
func ExampleServer_Advance() {
	const day = 24 * time.Hour
	srv := anyscaletest.NewServer(anyscaletest.WithClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))
	defer srv.Close()
	owner := srv.Owner()
	srv.AddLegacyKey(owner, "old-laptop")
	srv.AddKey(owner, "deploy", 30*day)
	srv.Advance(40 * day) // deploy expired 10 days ago; the owner's token moved with the clock

	c, err := srv.Client(owner, client.WithRetryPolicy(client.RetryPolicy{MaxRetries: -1}))
	if err != nil {
		panic(err)
	}
	report, err := keys.New(c).Audit(context.Background(), keys.AuditOptions{Now: srv.Now})
	if err != nil {
		panic(err)
	}
	fmt.Println(report.At.Format(time.DateOnly), report.Checked, "active keys")
	for _, f := range report.Findings {
		fmt.Println(f.Key.Name, f.Kind)
	}
	// Output:
	// 2030-02-10 2 active keys
	// old-laptop legacy-no-expiry
	// old-laptop unused
}
