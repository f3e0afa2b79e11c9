package ops

// The paths of the requests the operations send.
const (
	pathUserInfo       = "/api/v2/userinfo/"
	pathCreateKey      = "/api/v2/users/create_api_key"
	pathOwnKeys        = "/api/v2/users/api_keys"
	pathOwnKey         = "/api/v2/users/api_keys/"
	pathOwnBulk        = "/api/v2/users/api_keys/revoke"
	pathRotate         = "/api/v2/users/rotate_api_key"
	pathAdminKeys      = "/api/v2/users/admin/api_keys"
	pathAdminKey       = "/api/v2/users/admin/api_keys/"
	pathAdminBulk      = "/api/v2/users/admin/api_keys/revoke"
	pathRevokeAllUser  = "/api/v2/organization_collaborators/rotate_api_key_for_user/"
	pathMembers        = "/api/v2/organization_collaborators/"
	pathServiceAccount = "/api/v2/users/service_accounts"

	// PathLoginPoll is the start of the login poll's path, which ends with
	// the login code, a secret while the login is pending.
	PathLoginPoll = "/api/v2/users/request_otp_token/"
)

// The members the operations are seeded with, besides the owner: a
// server that is not the fake may answer with them (a hostile one does).
const (
	// Alice is the email of a collaborator.
	Alice = "alice@example.com"
	// Bot is the name of a service account.
	Bot = "bot"
)
