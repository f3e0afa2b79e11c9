// Package callopt holds what the SDK's services tell package client about
// one call through its context, beyond what a caller of client.Do needs: a
// call without a token (the login endpoints), a path shown under a label
// (a path that holds a secret), and a hook run when the server throttles
// the call (a bulk operation that lowers its concurrency).
//
//	ctx = callopt.WithoutAuth(ctx)
//	ctx = callopt.WithPathLabel(ctx, "/api/v2/users/request_otp_token/{otp}")
//	ctx = callopt.OnThrottle(ctx, limiter.halve)
//	_, err := c.Do(ctx, http.MethodGet, path, nil, nil, &out)
package callopt

import "context"

// ClientName is what every call of the SDK sends in X-Anyscale-Client.
const ClientName = "go-sdk"

type noAuthKey struct{}

// WithoutAuth marks the calls made with the returned context as
// unauthenticated: they resolve no token and send no Authorization header.
// The login endpoints use it, so a login works before any token exists.
func WithoutAuth(ctx context.Context) context.Context {
	return context.WithValue(ctx, noAuthKey{}, true)
}

// Authenticated reports whether the calls made with ctx send a token: all
// but those marked by WithoutAuth.
func Authenticated(ctx context.Context) bool { return ctx.Value(noAuthKey{}) == nil }

type pathLabelKey struct{}

// WithPathLabel makes the calls made with the returned context show label
// instead of their URL path in errors and logs, for a path that holds a
// secret such as a login code.
func WithPathLabel(ctx context.Context, label string) context.Context {
	return context.WithValue(ctx, pathLabelKey{}, label)
}

// PathLabel returns the label WithPathLabel set in ctx, or "".
func PathLabel(ctx context.Context) string {
	label, _ := ctx.Value(pathLabelKey{}).(string)
	return label
}

type throttleKey struct{}

// OnThrottle returns a context whose calls run f each time the server
// answers one of their attempts with 429 Too Many Requests or 503 Service
// Unavailable, before any retry: for callers that pace concurrent work,
// such as a bulk revoke that lowers how many requests it keeps in flight.
// The hooks of an outer OnThrottle run too, first. f must be safe for
// concurrent use.
func OnThrottle(ctx context.Context, f func()) context.Context {
	if prev, ok := ctx.Value(throttleKey{}).(func()); ok {
		g := f
		f = func() { prev(); g() }
	}
	return context.WithValue(ctx, throttleKey{}, f)
}

// Throttled runs the OnThrottle hooks of ctx, if any.
func Throttled(ctx context.Context) {
	if f, ok := ctx.Value(throttleKey{}).(func()); ok {
		f()
	}
}
