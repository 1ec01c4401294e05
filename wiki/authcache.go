package wiki

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Who a token or session cookie belongs to is asked on every request:
// hashing the secret, reading the token or session and then the account,
// and decoding both took more time than serving a cached page. authCache
// keeps the answer for authCacheTTL.
//
// Nothing it holds outlives a change: an entry is used only while the
// store's AccountsVersion is what it was when the entry was made, and the
// store moves that on with every write to an account, session, token or
// password reset (a role changed, an account disabled, a token revoked, a
// session ended, a password changed). The short TTL bounds what a store
// without such a version (one shared by several servers) could serve
// after a change made elsewhere, and a session's own expiry is kept.
const (
	authCacheTTL = 5 * time.Second
	// authCacheMax bounds the entries; when full, it is emptied (a second
	// of misses costs less than a real eviction order on every request).
	authCacheMax = 50000
)

// accountsVersioner is what a store offers when it can say that its
// accounts, sessions or tokens changed (store.DB does).
type accountsVersioner interface {
	AccountsVersion() uint64
}

type authCache struct {
	mu      sync.Mutex
	entries map[authKey]authEntry
}

// authKey names a cache entry: the kind of secret ('t' a token, 's' a
// session) and the secret's SHA-256 (what SecretID spells in hex). An
// array, so that looking one up allocates nothing and needs no hex.
type authKey struct {
	kind byte
	sum  [sha256.Size]byte
}

// newAuthKey returns the key of secret, of the given kind.
func newAuthKey(kind byte, secret string) authKey {
	// Copied to the stack: []byte(secret) would be an allocation on
	// every request for a secret longer than 32 bytes.
	var stack [128]byte
	return authKey{kind: kind, sum: sha256.Sum256(append(stack[:0], secret...))}
}

// id returns the secret's stored form, as SecretID does.
func (k *authKey) id() string { return sumID(k.sum) }

type authEntry struct {
	user    User
	session *Session
	version uint64
	until   time.Time
}

// version returns the store's accounts version and whether it has one.
func (a *Accounts) version() (uint64, bool) {
	if v, ok := a.store.(accountsVersioner); ok {
		return v.AccountsVersion(), true
	}
	return 0, false
}

// cachedAuth returns the cached user (a copy) of key, if it is still
// good at now.
func (a *Accounts) cachedAuth(key authKey, now time.Time) (*User, *Session, bool) {
	v, ok := a.version()
	if !ok {
		return nil, nil, false
	}
	a.auth.mu.Lock()
	e, found := a.auth.entries[key]
	a.auth.mu.Unlock()
	if !found || e.version != v || !now.Before(e.until) {
		return nil, nil, false
	}
	u := e.user
	return &u, e.session, true
}

// cacheAuth keeps u (and s) for key, as read at store version v (taken
// before the reads, so that a change during them leaves the entry stale).
func (a *Accounts) cacheAuth(key authKey, v uint64, u *User, s *Session, now time.Time) {
	until := now.Add(authCacheTTL)
	if s != nil && s.ExpiresAt.Before(until) {
		until = s.ExpiresAt
	}
	a.auth.mu.Lock()
	defer a.auth.mu.Unlock()
	if a.auth.entries == nil || len(a.auth.entries) >= authCacheMax {
		a.auth.entries = map[authKey]authEntry{}
	}
	a.auth.entries[key] = authEntry{user: *u, session: s, version: v, until: until}
}
