package main

import (
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

const (
	day = 24 * time.Hour
	// seedPast is how far back the demo's story starts: the clock starts
	// there, the keys are made as it moves on, and it ends at the time
	// the command started.
	seedPast = 90 * day
)

// member is a member whose token the command prints, with what it is.
type member struct {
	user  anyscaletest.User
	about string
}

// seedDemo makes the demo organization of the package doc on srv, whose
// clock starts seedPast ago, and moves the clock to now: members first,
// then each key at its age (oldest first), so the keys age for real while
// the printed tokens' keys move with the clock. It returns the members
// other than the owner.
func seedDemo(srv *anyscaletest.Server) []member {
	now := srv.Now().Add(seedPast)
	owner := srv.Owner()
	ada := srv.AddUser("ada@example.com", anyscaletest.Collaborator)
	bot := srv.AddServiceAccount("ci-deployer")

	keys := []struct {
		u        anyscaletest.User
		name     string
		age      time.Duration // how long ago it was made
		lifetime time.Duration // 0: legacy, no expiry
		usedAgo  time.Duration // 0: never used
	}{
		{owner, "old-laptop", 90 * day, 0, 60 * day},
		{ada, "demo", 40 * day, 7 * day, 0},
		{ada, "notebook", 29 * day, 30 * day, 2 * time.Hour},
		{owner, "deploy", 20 * day, 30 * day, 3 * time.Hour},
		{owner, "batch-90d", 10 * day, 90 * day, 0},
		{ada, "scratch", 2 * day, 7 * day, 0},
	}
	for _, k := range keys {
		srv.Advance(now.Add(-k.age).Sub(srv.Now()))
		id, _ := srv.AddKey(k.u, k.name, k.lifetime)
		if k.usedAgo > 0 {
			srv.SetLastUsed(id, now.Add(-k.usedAgo))
		}
	}
	srv.Advance(now.Sub(srv.Now()))
	return []member{
		{ada, ada.Email + " (collaborator)"},
		{bot, bot.Name + " (service account)"},
	}
}
