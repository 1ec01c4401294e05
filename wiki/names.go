package wiki

import (
	"context"
	"sync"
	"time"
)

// Names people read: history, diffs and recent changes record usernames
// and cohort ids, and show display names and cohort names. The maps are
// small (an organisation's people and cohorts), kept in memory and
// reloaded when this process changes them or after namesTTL, so that a
// page of a hundred revisions costs no store reads for its names, and
// another server's changes show within namesTTL.

const namesTTL = 30 * time.Second

// nameCache is a map loaded as a whole, at most once per namesTTL.
type nameCache struct {
	mu   sync.Mutex
	m    map[string]string
	at   time.Time
	now  Clock
	load func(ctx context.Context) (map[string]string, error)
}

// get returns the name of key, or "" if it has none (or the map cannot be
// loaded: names are a nicety, never a reason to fail a page).
func (c *nameCache) get(ctx context.Context, key string) string {
	if key == "" {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || c.now().Sub(c.at) > namesTTL {
		if m, err := c.load(context.WithoutCancel(ctx)); err == nil {
			c.m, c.at = m, c.now()
		} else if c.m == nil {
			return ""
		}
	}
	return c.m[key]
}

// reset makes the next get reload.
func (c *nameCache) reset() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

func (a *Accounts) nameCache() *nameCache {
	a.namesOnce.Do(func() {
		a.names = &nameCache{now: a.now, load: func(ctx context.Context) (map[string]string, error) {
			accts, err := a.store.Accounts(ctx)
			if err != nil {
				return nil, err
			}
			m := make(map[string]string, len(accts))
			for _, acct := range accts {
				m[acct.Username] = acct.User().Label()
			}
			return m, nil
		}}
	})
	return a.names
}

// DisplayName returns how the person with username is shown: their
// display name, else the username (also for names that are no account,
// such as "import").
func (a *Accounts) DisplayName(ctx context.Context, username string) string {
	if n := a.nameCache().get(ctx, username); n != "" {
		return n
	}
	return username
}

func (cs *Cohorts) nameCache() *nameCache {
	cs.namesOnce.Do(func() {
		cs.names = &nameCache{now: cs.now, load: func(ctx context.Context) (map[string]string, error) {
			all, err := cs.accounts.Cohorts(ctx)
			if err != nil {
				return nil, err
			}
			m := make(map[string]string, len(all))
			for _, c := range all {
				m[c.ID] = c.Name
			}
			return m, nil
		}}
	})
	return cs.names
}

// Name returns the name of the cohort id, else the id itself (a cohort
// removed since its revisions were written).
func (cs *Cohorts) Name(ctx context.Context, id string) string {
	if n := cs.nameCache().get(ctx, id); n != "" {
		return n
	}
	return id
}
