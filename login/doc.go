// Package login gets a credential through the browser, as the official
// CLI's login does: it starts a login on the API, hands its approval URL
// to the user, waits until someone signed in to Anyscale approves it, and
// saves the new key in the credentials file, where the auth chain, the
// anyscale-keys command and the official CLI find it.
//
// A login is a way to get a credential, apart from key management
// (package keys): it needs no token, so it works on a client whose chain
// finds none.
//
//	c, err := client.New() // no token needed yet
//	res, err := login.Run(ctx, c, login.Options{ExpiresIn: 24 * time.Hour})
//	if err != nil { ... } // the credentials file is as it was
//	fmt.Println("saved to", res.Path) // res.Secret prints redacted
//	me, err := c.WithAuth(auth.StaticSecret(res.Secret)).WhoAmI(ctx) // who approved it
package login
