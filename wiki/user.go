package wiki

import "context"

// Anonymous is the author recorded for edits made without an account.
const Anonymous = "anonymous"

// User is the person behind a request, as far as the domain cares: the
// name revisions are attributed to and the cohort they belong to now.
type User struct {
	Name   string
	Cohort string
}

type contextKey int

const userKey contextKey = iota

// NewContextWithUser returns a copy of ctx that carries u.
func NewContextWithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// UserFromContext returns the user carried by ctx, or the anonymous user
// when there is none.
func UserFromContext(ctx context.Context) *User {
	if u, ok := ctx.Value(userKey).(*User); ok && u != nil {
		return u
	}
	return &User{Name: Anonymous}
}
