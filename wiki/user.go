package wiki

import "context"

// Anonymous is the name recorded for edits made without an account (a wiki
// before its first account, or tools that run without one).
const Anonymous = "anonymous"

// User is the person behind a request, as far as the domain cares: the
// name revisions are attributed to, what they may do, and the cohort they
// belong to now.
type User struct {
	Name        string // username; Anonymous when not signed in
	DisplayName string
	Role        Role
	Cohort      string // cohort id ("" if none)
}

// SignedIn reports whether u is a real account rather than a visitor.
func (u *User) SignedIn() bool { return u != nil && u.Name != Anonymous && u.Name != "" }

// Has reports whether u's role includes r.
func (u *User) Has(r Role) bool { return u != nil && u.Role >= r }

// WorkCohort is the cohort the user's revisions count for: their cohort
// if they are a new hire (reader or editor), none for trainers and
// admins, who may sign up through an invite or edit a cohort's pages but
// whose work is not the cohort's.
func (u *User) WorkCohort() string {
	if u == nil || u.Role >= RoleTrainer {
		return ""
	}
	return u.Cohort
}

// Label is how the user is shown: the display name, else the username.
func (u *User) Label() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Name
}

type contextKey int

const userKey contextKey = iota

// NewContextWithUser returns a copy of ctx that carries u.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFromContext returns the user carried by ctx, or an anonymous visitor
// with no role when there is none.
func UserFromContext(ctx context.Context) *User {
	if u, ok := ctx.Value(userKey).(*User); ok && u != nil {
		return u
	}
	return &User{Name: Anonymous}
}
