package ops

import "github.com/anyscale-go/anyscale/anyscaletest"

// The paths of the requests the operations send: the fake's own
// constants, so the registry and the fake cannot drift apart.
const (
	pathUserInfo       = anyscaletest.PathUserInfo
	pathCreateKey      = anyscaletest.PathCreateKey
	pathOwnKeys        = anyscaletest.PathKeys
	pathOwnKey         = anyscaletest.PathKey
	pathOwnBulk        = anyscaletest.PathRevokeKeys
	pathRotate         = anyscaletest.PathRotateKey
	pathAdminKeys      = anyscaletest.PathOrgKeys
	pathAdminKey       = anyscaletest.PathOrgKey
	pathAdminBulk      = anyscaletest.PathOrgRevokeKeys
	pathRevokeAllUser  = anyscaletest.PathRevokeAllForUser
	pathMembers        = anyscaletest.PathMembers
	pathServiceAccount = anyscaletest.PathServiceAccounts

	// PathLoginPoll is the start of the login poll's path, which ends with
	// the login code, a secret while the login is pending.
	PathLoginPoll = anyscaletest.PathLoginPoll
)

// The members the operations are seeded with, besides the owner: a
// server that is not the fake may answer with them (a hostile one does).
const (
	// Alice is the email of a collaborator.
	Alice = "alice@example.com"
	// Bot is the name of a service account.
	Bot = "bot"
)
