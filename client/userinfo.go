package client

import (
	"context"
	"net/http"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// permissionOwner is an organization owner's permission level.
const permissionOwner = "owner"

// UserInfo is who the token belongs to. OrganizationPermissionLevel is
// "owner" or "collaborator" (IsOwner tells).
type UserInfo struct {
	ID                          string         `json:"id"`
	Email                       string         `json:"email"`
	Name                        string         `json:"name"`
	Username                    string         `json:"username"`
	OrganizationPermissionLevel string         `json:"organization_permission_level"`
	OrganizationIDs             []string       `json:"organization_ids"`
	Organizations               []Organization `json:"organizations"`
}

// Organization is an organization a user belongs to.
type Organization struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	PublicIdentifier string  `json:"public_identifier"`
	DefaultCloudID   *string `json:"default_cloud_id"`
}

// IsOwner reports whether the user owns the token's organization.
func (u *UserInfo) IsOwner() bool { return u.OrganizationPermissionLevel == permissionOwner }

// OrganizationID returns the token's organization id, or "".
func (u *UserInfo) OrganizationID() string {
	if len(u.Organizations) > 0 {
		return u.Organizations[0].ID
	}
	if len(u.OrganizationIDs) > 0 {
		return u.OrganizationIDs[0]
	}
	return ""
}

// WhoAmI returns the user the client's token belongs to.
//
// API: GET /api/v2/userinfo/
//
// A token the API does not accept is an error matching ErrUnauthorized,
// whose advice is ActionRenewToken.
func (c *Client) WhoAmI(ctx context.Context) (*UserInfo, error) {
	if err := ctxguard.Check(ctx, "client.Client.WhoAmI"); err != nil {
		return nil, err
	}
	var u UserInfo
	if _, err := c.call(ctx, http.MethodGet, "/api/v2/userinfo/", nil, nil, &u, false); err != nil {
		return nil, err
	}
	return &u, nil
}
