package anyscaletest

// The wire paths the fake serves, for Fault.PathPrefix. A fault matches a
// request whose path starts with its PathPrefix, so a path ending in "/"
// matches every id under it, and a shorter path matches the longer ones it
// starts (PathKeys also matches PathKey and PathRevokeKeys): give Method
// too to pick one endpoint. Each comment names the endpoint's method and
// what it does. FailNext panics on a prefix that no endpoint's path starts
// with, so a mistyped path fails the test instead of never firing.
const (
	// PathUserInfo is GET, who the token belongs to (client.WhoAmI).
	PathUserInfo = "/api/v2/userinfo/"
	// PathCreateKey is POST, a new key: the caller's (keys Create), or,
	// for an owner, another user's or a service account's.
	PathCreateKey = "/api/v2/users/create_api_key"
	// PathKeys is GET, the caller's keys (keys List and All); as a
	// prefix it also matches PathKey and PathRevokeKeys.
	PathKeys = "/api/v2/users/api_keys"
	// PathKey, followed by a key id, is DELETE, one of the caller's keys
	// revoked (keys Revoke, and RevokeMany's per-id fallback).
	PathKey = "/api/v2/users/api_keys/"
	// PathRevokeKeys is POST, a batch of the caller's keys revoked (keys
	// RevokeMany).
	PathRevokeKeys = "/api/v2/users/api_keys/revoke"
	// PathRotateKey is GET, every key of the caller's revoked and a new
	// one made (keys Rotate).
	PathRotateKey = "/api/v2/users/rotate_api_key"
	// PathOrgKeys is GET, every key of the organization (the Org scope's
	// List and All; owners only); as a prefix it also matches PathOrgKey
	// and PathOrgRevokeKeys.
	PathOrgKeys = "/api/v2/users/admin/api_keys"
	// PathOrgKey, followed by a key id, is DELETE, any key revoked (the
	// Org scope's Revoke).
	PathOrgKey = "/api/v2/users/admin/api_keys/"
	// PathOrgRevokeKeys is POST, a batch of any keys revoked (the Org
	// scope's RevokeMany).
	PathOrgRevokeKeys = "/api/v2/users/admin/api_keys/revoke"
	// PathRevokeAllForUser, followed by a user id, is POST, every key of
	// that user or service account revoked (keys' Org().RevokeAll, and the
	// service accounts' RevokeAllKeys and RotateKeys).
	PathRevokeAllForUser = "/api/v2/organization_collaborators/rotate_api_key_for_user/"
	// PathMembers is GET, the organization's members (organization List,
	// All, Get; service accounts' List and Get); followed by an
	// identity id it is DELETE, a member removed (organization Remove,
	// service accounts' Delete). As a prefix it also matches
	// PathRevokeAllForUser: give Method.
	PathMembers = "/api/v2/organization_collaborators/"
	// PathServiceAccounts is POST, a new service account (service
	// accounts' Create; its keys come from PathCreateKey).
	PathServiceAccounts = "/api/v2/users/service_accounts"
	// PathLoginStart is GET, a browser login started (login.Run); it
	// needs no token.
	PathLoginStart = "/api/v2/users/create_otp_token"
	// PathLoginPoll, followed by the login's one-time code, is GET, a
	// login polled until it is approved (login.Run); no token.
	PathLoginPoll = "/api/v2/users/request_otp_token/"
	// PathLoginApprove, followed by the one-time code, is GET, the page a
	// browser opens to approve a login (what ApproveLogin does).
	PathLoginApprove = "/otp/"
)
