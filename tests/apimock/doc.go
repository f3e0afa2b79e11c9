// Package apimock is the per-test mock Anyscale API that the unit tests of
// keys, organization and serviceaccounts share: an SDK client on its own
// httpmock transport that records every call, answered or not.
//
//	m := apimock.New(t)
//	m.On("GET", "/api/v2/users/api_keys", 200, apimock.List("", key))
//	page, err := keys.New(m.Client).List(ctx, keys.ListOptions{})
//	assert.Equal(t, "50", m.Calls()[0].Query.Get("count"))
package apimock
