package client

import "log/slog"

// Logger returns the logger the client reports on: the one given with
// WithLogger, else one that discards every record. The SDK's background
// work reports there too (keys.Renewing's failed renewals), since no call
// returns its errors.
func (c *Client) Logger() *slog.Logger { return c.logger }
