package wiki

import (
	"fmt"
	"strings"
)

// Role is what a person may do. Each role includes the ones before it:
// a trainer may do everything an editor may.
type Role int

// The roles, weakest first. RoleNone is a visitor who is not signed in on
// a wiki whose reading needs a login.
const (
	RoleNone    Role = iota
	RoleReader       // read and search
	RoleEditor       // create and edit pages: every new hire
	RoleTrainer      // review, revert, delete, cohorts, search gaps
	RoleAdmin        // users, backup
)

var roleNames = [...]string{"none", "reader", "editor", "trainer", "admin"}

// Roles lists the roles that can be given to an account, weakest first.
var Roles = []Role{RoleReader, RoleEditor, RoleTrainer, RoleAdmin}

// String returns the role's name as the API and command line spell it.
func (r Role) String() string {
	if r < 0 || int(r) >= len(roleNames) {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole reads a role name ("reader", "editor", "trainer", "admin").
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if strings.EqualFold(s, r.String()) {
			return r, nil
		}
	}
	return RoleNone, Invalid("role", "must be one of reader, editor, trainer, admin")
}

// MarshalText makes roles appear by name in JSON.
func (r Role) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText reads a role by name.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
