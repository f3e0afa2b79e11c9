package anyscaletest

// keyStore holds the fake's keys, indexed so that every operation costs
// what it touches, not the number of keys: a lookup by id, an owner's
// keys, an owner's active key by name, and the counts a list's total
// needs. Callers hold the server's mutex.
type keyStore struct {
	byID map[string]*apiKey
	// order is every key, byOwner each owner's keys: in creation order,
	// which is ascending seq, so lists page by binary search.
	order   []*apiKey
	byOwner map[string][]*apiKey
	// named is each owner's unrevoked key of each name; it may be expired,
	// which activeKeyNamed checks.
	named map[ownerName]*apiKey
	// unrevoked counts the keys not revoked, in all and by owner.
	unrevoked      int
	ownerUnrevoked map[string]int
}

type ownerName struct{ userID, name string }

func newKeyStore() keyStore {
	return keyStore{
		byID:           map[string]*apiKey{},
		byOwner:        map[string][]*apiKey{},
		named:          map[ownerName]*apiKey{},
		ownerUnrevoked: map[string]int{},
	}
}

// add stores a new, unrevoked key; its name is free among its owner's
// active keys (callers checked).
func (ks *keyStore) add(k *apiKey) {
	ks.byID[k.id] = k
	ks.order = append(ks.order, k)
	ks.byOwner[k.userID] = append(ks.byOwner[k.userID], k)
	ks.named[ownerName{k.userID, k.name}] = k
	ks.unrevoked++
	ks.ownerUnrevoked[k.userID]++
}

// revoked updates the indexes once k was revoked.
func (ks *keyStore) revoked(k *apiKey) {
	if n := (ownerName{k.userID, k.name}); ks.named[n] == k {
		delete(ks.named, n)
	}
	ks.unrevoked--
	ks.ownerUnrevoked[k.userID]--
}
