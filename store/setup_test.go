// Tests of the first-run setup token.

package store

import (
	"context"
	"testing"
)

func TestSetupToken(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
	steps := []struct {
		name string
		put  string // put this first, if set
		take string
		want bool
	}{
		{"none yet", "", "abc", false},
		{"wrong", "abc", "abd", false},
		{"prefix", "", "ab", false},
		{"longer", "", "abcd", false},
		{"right", "", "abc", true},
		{"again", "", "abc", false},
		{"replaced: old one", "first", "", false},
		{"replaced: new one", "second", "first", false},
		{"replaced: take new", "", "second", true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.put != "" {
				if err := db.PutSetupToken(ctx, st.put); err != nil {
					t.Fatal(err)
				}
			}
			if st.take == "" {
				return
			}
			got, err := db.TakeSetupToken(ctx, st.take)
			if err != nil || got != st.want {
				t.Errorf("TakeSetupToken(%q) = %v, %v; want %v", st.take, got, err, st.want)
			}
		})
	}
}
