package wiki

import "testing"

// TestAuthKeyID: the cache key spells the secret's stored form exactly as
// SecretID does, and the kinds keep a token and a session of the same
// secret apart.
func TestAuthKeyID(t *testing.T) {
	for _, secret := range []string{"", "abc", "IzykQKPPpSdqnTUfQhs1swMAxAkTwC5KOdNPueocHi8"} {
		k := newAuthKey('t', secret)
		if got, want := k.id(), SecretID(secret); got != want {
			t.Errorf("%q: id %s, SecretID %s", secret, got, want)
		}
		if newAuthKey('s', secret) == k {
			t.Errorf("%q: a token and a session share a key", secret)
		}
	}
}
