package wiki

import (
	"sync"
	"time"
)

// loginLimiter counts failed sign-ins per account and per address in a
// sliding window. It is per process: behind several web nodes each node
// limits on its own, which still bounds guessing.
type loginLimiter struct {
	mu                     sync.Mutex
	now                    Clock
	window                 time.Duration
	perAccount, perAddress int
	fails                  map[string][]time.Time // "u:name" / "a:addr" -> failure times
	sweeps                 int
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
// and reports whether it may go ahead (the limits were not reached).
func (l *loginLimiter) attempt(username, addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.recent("u:"+username, now)) >= l.perAccount || len(l.recent("a:"+addr, now)) >= l.perAddress {
		return false
	}
	l.fails["u:"+username] = append(l.fails["u:"+username], now)
	l.fails["a:"+addr] = append(l.fails["a:"+addr], now)
	l.sweep(now)
	return true
}

// forget takes back an attempt that reached no verdict (a server error).
func (l *loginLimiter) forget(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range []string{"u:" + username, "a:" + addr} {
		if ts := l.fails[k]; len(ts) > 0 {
			l.fails[k] = ts[:len(ts)-1]
		}
	}
}

// succeed takes back a successful attempt and forgets the account's
// failures.
func (l *loginLimiter) succeed(username, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "u:"+username)
	if ts := l.fails["a:"+addr]; len(ts) > 0 {
		l.fails["a:"+addr] = ts[:len(ts)-1]
	}
}

// allowAddress reports whether addr is under its failure limit.
func (l *loginLimiter) allowAddress(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent("a:"+addr, l.now())) < l.perAddress
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
