package wiki

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// commonPasswords are refused outright even when long enough.
var commonPasswords = map[string]bool{
	"password123": true, "password1234": true, "1234567890": true, "12345678910": true,
	"qwertyuiop": true, "qwerty12345": true, "iloveyou123": true, "welcome123": true,
	"welcome1234": true, "letmein1234": true, "changeme123": true, "administrator": true,
	"passw0rd123": true, "0123456789": true, "1111111111": true, "abcdefghij": true,
	"onboarding1": true, "onboarding123": true, "faqwiki123": true, "password!!": true,
}

// ValidatePassword refuses passwords that are too short, too long (a huge
// password is a cheap way to make the server hash megabytes), equal to or
// containing the username, a single repeated character, or well known.
func ValidatePassword(password, username string) error {
	switch {
	case len(password) < MinPasswordLen:
		return Invalid("password", "must be at least %d characters", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return Invalid("password", "must be at most %d characters", MaxPasswordLen)
	case !utf8.ValidString(password):
		return Invalid("password", "is not valid UTF-8")
	case username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)):
		return Invalid("password", "must not contain the username")
	case strings.Count(password, password[:1]) == len(password):
		return Invalid("password", "must not be one character repeated")
	case commonPasswords[strings.ToLower(password)]:
		return Invalid("password", "is too common; choose another")
	}
	return nil
}

// PasswordParams are argon2id's cost settings. Tests use cheaper ones.
type PasswordParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams follow OWASP's argon2id minimum (19 MiB, 2 passes).
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

// hashPassword returns a PHC-format argon2id hash with a random salt.
func (a *Accounts) hashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	rand.Read(salt)
	p := a.params
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches a hash made by hashPassword.
func checkPassword(hash, pw string) bool {
	var v int
	var m, t uint32
	var p uint8
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<22 || t > 16 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// hashWait is how long a password hash waits for a free slot before the
// request is refused as busy.
const hashWait = 5 * time.Second

// withHashSlot runs fn while holding one of the slots that bound how many
// argon2id hashes (19 MiB and tens of milliseconds each) run at once, so a
// flood of sign-ups or sign-ins cannot exhaust memory. ErrBusy if no slot
// frees up in time.
func (a *Accounts) withHashSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(hashWait)
	defer t.Stop()
	select {
	case a.hashSlots <- struct{}{}:
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.hashSlots }()
	fn()
	return nil
}

// hash hashes a password through the bounded pool.
func (a *Accounts) hash(ctx context.Context, pw string) (string, error) {
	var h string
	var err error
	if perr := a.withHashSlot(ctx, func() { h, err = a.hashPassword(pw) }); perr != nil {
		return "", perr
	}
	return h, err
}

// check compares a password with a hash through the bounded pool.
func (a *Accounts) check(ctx context.Context, hash, pw string) (bool, error) {
	ok := false
	err := a.withHashSlot(ctx, func() { ok = checkPassword(hash, pw) })
	return ok, err
}

// ChangePassword sets a new password after checking the old one, and ends
// every other session of the account (keep is the session to keep: the
// one making the change).
func (a *Accounts) ChangePassword(ctx context.Context, username, old, new, keep string) error {
	acct, err := a.store.Account(ctx, username)
	if err != nil {
		return err
	}
	ok, err := a.check(ctx, acct.PasswordHash, old)
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("old_password", "is not your current password")
	}
	return a.setPassword(ctx, acct.Username, new, keep)
}

// SetPassword sets an account's password without the old one (an admin's
// reset, or the command line) and ends all its sessions.
func (a *Accounts) SetPassword(ctx context.Context, username, password string) error {
	return a.setPassword(ctx, strings.ToLower(username), password, "")
}

func (a *Accounts) setPassword(ctx context.Context, username, password, keep string) error {
	if err := ValidatePassword(password, username); err != nil {
		return err
	}
	hash, err := a.hash(ctx, password)
	if err != nil {
		return err
	}
	if _, err := a.store.UpdateAccount(ctx, username, func(acct *Account) error {
		acct.PasswordHash = hash
		acct.PasswordChangedAt = a.now().UTC()
		return nil
	}); err != nil {
		return err
	}
	return a.store.DeleteSessions(ctx, username, keep)
}
