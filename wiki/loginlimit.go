package wiki

import (
	"sync"
	"time"
)

// loginLimiter counts failed sign-ins in a sliding window: per account
// from one address (perAccount), per account from everywhere
// (perAccount*accountSpread) and per address (perAddress). An account's
// failures from one address lock it for that address only, so a stranger
// who types a colleague's name five times does not lock the colleague
// out; guessing from many addresses still meets the account's overall
// limit. It is per process: behind several web nodes each node limits on
// its own, which still bounds guessing.
type loginLimiter struct {
	mu                     sync.Mutex
	now                    Clock
	window                 time.Duration
	perAccount, perAddress int
	fails                  map[string][]time.Time // "u:name" / "a:addr" -> failure times
	sweeps                 int
}

// accountSpread: an account's failures from all addresses together may be
// this many times those from one.
const accountSpread = 10

// limitKey is a counter of failures and how many it allows.
type limitKey struct {
	key   string
	limit int
}

// keys are the counters an attempt for username from addr counts in: the
// account from this address, the account, the address.
func (l *loginLimiter) keys(username, addr string) [3]limitKey {
	return [3]limitKey{{"p:" + username + "\x00" + addr, l.perAccount}, {"u:" + username, l.perAccount * accountSpread}, {"a:" + addr, l.perAddress}}
}

func (l *loginLimiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) > l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
	} else {
		l.fails[key] = ts
	}
	return ts
}

// attempt counts a sign-in attempt for username from addr as a failure
// and returns nil if it may go ahead, or a *RateLimitError if a limit was
// reached.
func (l *loginLimiter) attempt(username, addr string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	keys := l.keys(username, addr)
	for _, k := range keys {
		if err := l.over(k, now); err != nil {
			return err
		}
	}
	for _, k := range keys {
		l.fails[k.key] = append(l.fails[k.key], now)
	}
	l.sweep(now)
	return nil
}

// over returns a *RateLimitError if k's failures reached its limit: the
// wait is until the one that makes the limit leaves the window. Callers
// hold l.mu.
func (l *loginLimiter) over(k limitKey, now time.Time) error {
	ts := l.recent(k.key, now)
	if len(ts) < k.limit {
		return nil
	}
	wait := ts[len(ts)-k.limit].Add(l.window).Sub(now)
	return &RateLimitError{RetryAfter: max(wait, time.Second)}
}

// forget takes back an attempt that reached no verdict (a server error).
func (l *loginLimiter) forget(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range l.keys(username, addr) {
		if ts := l.fails[k.key]; len(ts) > 0 {
			l.fails[k.key] = ts[:len(ts)-1]
		}
	}
}

// succeed takes back a successful attempt and forgets the account's
// failures from addr (those from elsewhere still count towards its
// overall limit).
func (l *loginLimiter) succeed(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.keys(username, addr)
	delete(l.fails, k[0].key)
	for _, key := range []string{k[1].key, k[2].key} {
		if ts := l.fails[key]; len(ts) > 0 {
			l.fails[key] = ts[:len(ts)-1]
		}
	}
}

// allowAddress returns nil if addr is under its failure limit, else a
// *RateLimitError.
func (l *loginLimiter) allowAddress(addr string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.over(limitKey{"a:" + addr, l.perAddress}, l.now())
}

// failAddress counts a failure against addr alone (a wrong invite code).
func (l *loginLimiter) failAddress(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fails["a:"+addr] = append(l.fails["a:"+addr], now)
	l.sweep(now)
}

// sweep drops, now and then, keys whose failures are all old. Callers
// hold l.mu.
func (l *loginLimiter) sweep(now time.Time) {
	if l.sweeps++; l.sweeps%1000 == 0 {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
}
