package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/client"
)

func ExampleNew() {
	srv := anyscaletest.NewServer(anyscaletest.WithOwnerEmail("owner@example.com"))
	defer srv.Close()

	// Against the real API: client.New() takes $ANYSCALE_HOST and the
	// token the auth chain finds (ANYSCALE_CLI_TOKEN, the credentials
	// file, or a workspace's injected token).
	c, err := client.New(client.WithBaseURL(srv.URL), client.WithToken(srv.Owner().Token))
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	me, err := c.WhoAmI(context.Background())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(me.Email, me.IsOwner())
	// Output: owner@example.com true
}

func ExampleAPIError() {
	srv := anyscaletest.NewServer()
	defer srv.Close()
	c, _ := srv.Client(srv.Owner())

	_, err := c.Do(context.Background(), http.MethodDelete, "/api/v2/users/api_keys/no-such-key", nil, nil, nil)
	fmt.Println(errors.Is(err, client.ErrNotFound))
	var apiErr *client.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.TraceID != "")
	}
	// Output:
	// true
	// 404 true
}
