package keyscmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
	"github.com/anyscale-go/anyscale/keys"
)

// A new key whose secret could not be saved is revoked: nobody holds it,
// and its name is free for the next try.
func TestLostSecretRevokes(t *testing.T) {
	srv := anyscaletest.Start(t)
	c, err := srv.Client(srv.Owner())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ks := keys.New(c)
	k, err := ks.Create(ctx, keys.CreateRequest{Name: "ci", ExpiresIn: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	saveErr := errors.New("disk full")
	err = lostSecret(ctx, ks, k, "creds.json", saveErr)
	if !errors.Is(err, saveErr) || !strings.Contains(err.Error(), `the new key "ci" was revoked`) {
		t.Errorf("err = %v", err)
	}
	for _, sk := range srv.Keys(srv.Owner()) {
		if sk.ID == k.Key.ID && sk.RevokedAt == nil {
			t.Error("the key is still active")
		}
	}
	if strings.Contains(err.Error(), "aph0_") {
		t.Error("the error shows a secret")
	}

	// A key not read back has no id: the error says how to find it.
	err = lostSecret(ctx, ks, &keys.CreatedKey{Key: keys.Key{Name: "lost"}, Secret: k.Secret}, "creds.json", saveErr)
	if !strings.Contains(err.Error(), `keys list --name "lost"`) {
		t.Errorf("err = %v", err)
	}
}
