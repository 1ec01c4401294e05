package wiki

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// newSecret returns a random token for a cookie, an API token, an invite
// or the setup link, and the ID (SHA-256, hex) under which it is stored.
func newSecret() (token, id string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, SecretID(token)
}

// SecretID is the stored form of a token: its SHA-256 in hex.
func SecretID(token string) string { return sumID(sha256.Sum256([]byte(token))) }

// sumID spells a secret's SHA-256 as SecretID stores it.
func sumID(sum [sha256.Size]byte) string { return hex.EncodeToString(sum[:]) }
