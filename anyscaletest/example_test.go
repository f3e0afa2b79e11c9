package anyscaletest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/anyscale-go/anyscale/anyscaletest"
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
