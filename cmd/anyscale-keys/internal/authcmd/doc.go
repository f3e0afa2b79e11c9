// Package authcmd is anyscale-keys' commands about the token: login,
// logout, whoami and auth explain.
package authcmd
