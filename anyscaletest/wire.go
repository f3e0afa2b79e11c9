package anyscaletest

// This file holds the fake's own wire structs (deliberately not the SDK's),
// the envelopes, the two error shapes, and the decoding of request bodies
// and query parameters.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// apiKeyInfo is ApiKeyInfo.
type apiKeyInfo struct {
	HexHashedID string  `json:"hex_hashed_id"`
	DisplayID   string  `json:"display_id"`
	Name        string  `json:"name"`
	CreatedBy   string  `json:"created_by"`
	CreatedAt   string  `json:"created_at"`
	ExpiresAt   *string `json:"expires_at"` // null on legacy keys
	RevokedAt   *string `json:"revoked_at"`
	LastUsedAt  *string `json:"last_used_at"` // null while never used
}

// userInfo is UserInfo.
type userInfo struct {
	ID                          string    `json:"id"`
	Email                       string    `json:"email"`
	Name                        string    `json:"name"`
	Username                    string    `json:"username"`
	OrganizationPermissionLevel string    `json:"organization_permission_level"`
	OrganizationIDs             []string  `json:"organization_ids"`
	Organizations               []orgInfo `json:"organizations"`
}

// orgInfo is one entry of UserInfo.organizations.
type orgInfo struct {
	ID               string  `json:"id"`
	Name             string  `json:"name"`
	PublicIdentifier string  `json:"public_identifier"`
	DefaultCloudID   *string `json:"default_cloud_id"` // always null here
}

// collaborator is OrganizationCollaborator.
type collaborator struct {
	ID               string   `json:"id"`
	UserID           string   `json:"user_id"`
	Email            string   `json:"email"`
	Name             string   `json:"name"`
	PermissionLevel  string   `json:"permission_level"`
	CreatedAt        string   `json:"created_at"`
	BaseRole         string   `json:"base_role"`
	AdditionalRoles  []string `json:"additional_roles"`
	IsServiceAccount bool     `json:"is_service_account"`
}

// serviceAccountInfo is AnyscaleServiceAccount, exactly (docs/wire.md,
// confirmed). It has no identity id: deleting one needs the member list.
type serviceAccountInfo struct {
	UserID          string `json:"user_id"`
	Name            string `json:"name"`
	OrganizationID  string `json:"organization_id"`
	Email           string `json:"email"`
	PermissionLevel string `json:"permission_level"`
	CreatedAt       string `json:"created_at"`
}

// sessionResult answers create_api_key and rotate_api_key.
type sessionResult struct {
	ServerSessionID string `json:"server_session_id"`
}

// revokeResult answers both bulk revokes by default: the ids revoked.
// Choice: the real RevokeApiKeysResponse's fields are unknown (docs/wire.md).
type revokeResult struct {
	Revoked []string `json:"revoked"`
}

// unknownRevokeResult answers both bulk revokes under
// WithUnknownRevokeAnswer: a shape the SDK does not know, with no
// "revoked" list, standing in for the real answer whose fields are unknown.
type unknownRevokeResult struct {
	NumRevoked int    `json:"num_revoked"`
	RequestID  string `json:"request_id"`
}

// revokeAnswer is the result of a bulk revoke that revoked these ids, in
// the default shape or, when unknownShape, in unknownRevokeResult's.
func revokeAnswer(revoked []string, unknownShape bool) any {
	if unknownShape {
		return unknownRevokeResult{NumRevoked: len(revoked), RequestID: newRequestID()}
	}
	return revokeResult{Revoked: revoked}
}

// otpStartResult answers create_otp_token.
type otpStartResult struct {
	URL string `json:"url"`
	OTP string `json:"otp"`
}

// otpPollResult answers request_otp_token; the secret only when valid.
type otpPollResult struct {
	Valid           bool   `json:"valid"`
	ServerSessionID string `json:"server_session_id,omitempty"`
}

// empty is the {} result of actions that return nothing.
type empty struct{}

type resultEnvelope struct {
	Result any `json:"result"`
}

type listEnvelope struct {
	Results  any          `json:"results"`
	Metadata listMetadata `json:"metadata"`
}

type listMetadata struct {
	Total           int     `json:"total"`
	NextPagingToken *string `json:"next_paging_token"`
}

type errorEnvelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Detail string `json:"detail"`
}

// validationEnvelope is FastAPI's 422 shape.
type validationEnvelope struct {
	Detail []fieldError `json:"detail"`
}

// fieldError is one entry of FastAPI's 422 detail list.
type fieldError struct {
	Loc  []any  `json:"loc"`
	Msg  string `json:"msg"`
	Type string `json:"type"`
}

// reply is what a handler answers; it is written after the state lock is
// released, so it must not alias server state.
type reply struct {
	status int
	body   any    // JSON-encoded; nil with raw nil means no body
	raw    []byte // written as is, with ctype
	ctype  string
	header http.Header
}

func ok(result any) reply { return reply{status: http.StatusOK, body: resultEnvelope{Result: result}} }

func noContent() reply { return reply{status: http.StatusNoContent} }

func listReply(results any, total int, next string) reply {
	md := listMetadata{Total: total}
	if next != "" {
		md.NextPagingToken = &next
	}
	return reply{status: http.StatusOK, body: listEnvelope{Results: results, Metadata: md}}
}

// fail is the {"error": {"detail": ...}} shape.
func fail(status int, format string, args ...any) reply {
	return reply{status: status, body: errorEnvelope{Error: errorBody{Detail: fmt.Sprintf(format, args...)}}}
}

// invalid is FastAPI's 422 shape for one field.
func invalid(loc []any, typ, format string, args ...any) reply {
	return reply{
		status: http.StatusUnprocessableEntity,
		body:   validationEnvelope{Detail: []fieldError{{Loc: loc, Msg: fmt.Sprintf(format, args...), Type: typ}}},
	}
}

func bodyLoc(field ...any) []any  { return append([]any{"body"}, field...) }
func queryLoc(field string) []any { return []any{"query", field} }

// write sends r on w.
func (r reply) write(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	switch {
	case r.raw != nil:
		h.Set("Content-Type", r.ctype)
		w.WriteHeader(r.status)
		_, _ = w.Write(r.raw)
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			panic("anyscaletest: encoding a reply: " + err.Error())
		}
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(r.status)
		_, _ = w.Write(b)
	default:
		w.WriteHeader(r.status)
	}
}

// readBody returns the request body, which serveHTTP has already buffered.
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	return b
}

// decodeObject parses a JSON object body into its fields, refusing fields
// outside allowed. Choice: the real server (FastAPI) ignores unknown fields;
// the fake refuses them with a 422 so that a misspelt field in a client
// shows up in its tests instead of being silently dropped.
func decodeObject(body []byte, allowed ...string) (map[string]json.RawMessage, *reply) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		r := invalid(bodyLoc(), "value_error.missing", "field required")
		return nil, &r
	}
	if trimmed[0] != '{' {
		r := invalid(bodyLoc(), "type_error.dict", "value is not a valid dict")
		return nil, &r
	}
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(&fields); err != nil || dec.More() {
		r := invalid(bodyLoc(), "value_error.jsondecode", "body is not valid JSON")
		return nil, &r
	}
	for name := range fields {
		if !slices.Contains(allowed, name) {
			r := invalid(bodyLoc(name), "value_error.extra", "extra fields not permitted")
			return nil, &r
		}
	}
	return fields, nil
}

// isNull reports whether a raw field is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// optionalString decodes an optional string field; absent and null are "".
func optionalString(fields map[string]json.RawMessage, name string) (string, *reply) {
	raw := fields[name]
	if isNull(raw) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		r := invalid(bodyLoc(name), "type_error.str", "str type expected")
		return "", &r
	}
	return s, nil
}

// checkQuery refuses query parameters outside allowed. Choice: FastAPI
// ignores them; the fake refuses them (422) for the reason decodeObject
// refuses unknown body fields.
func checkQuery(q url.Values, allowed ...string) *reply {
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			r := invalid(queryLoc(name), "value_error.extra", "unknown query parameter")
			return &r
		}
	}
	return nil
}

// queryInt parses an optional integer query parameter.
func queryInt(q url.Values, name string) (n int64, present bool, bad *reply) {
	if !q.Has(name) {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(q.Get(name), 10, 64)
	if err != nil {
		r := invalid(queryLoc(name), "type_error.integer", "value is not a valid integer")
		return 0, true, &r
	}
	return n, true, nil
}

// queryBool parses an optional boolean query parameter the way FastAPI does.
func queryBool(q url.Values, name string) (b, present bool, bad *reply) {
	if !q.Has(name) {
		return false, false, nil
	}
	switch strings.ToLower(q.Get(name)) {
	case "true", "1", "yes", "on":
		return true, true, nil
	case "false", "0", "no", "off":
		return false, true, nil
	}
	r := invalid(queryLoc(name), "type_error.bool", "value could not be parsed to a boolean")
	return false, true, &r
}
