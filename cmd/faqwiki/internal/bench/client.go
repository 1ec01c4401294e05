package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// conn is a keep-alive HTTP/1.1 connection that sends GET requests and
// reads their answers with as little work as a client can do: net/http's
// client costs tens of microseconds a request, which on the one core the
// load runs on would cap what the suite can measure well below what a
// server on the other core serves. It speaks only what the suite needs
// (GET, Content-Length or chunked bodies, keep-alive) and checks the
// status.
type conn struct {
	addr, host, auth string
	c                net.Conn
	r                *bufio.Reader
	req              []byte
	body             bytes.Buffer // the last answer's body, when kept
}

func dial(addr, auth string) *conn {
	return &conn{addr: addr, host: addr, auth: auth}
}

// get requests path and returns the status; with keep, the body is in
// c.body afterwards. A broken connection is dialled again once.
func (c *conn) get(path string, keep bool) (int, error) {
	for attempt := 0; ; attempt++ {
		status, err := c.try(path, keep)
		if err == nil || attempt == 1 {
			return status, err
		}
		c.close()
	}
}

func (c *conn) try(path string, keep bool) (int, error) {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return 0, err
		}
		c.c, c.r = nc, bufio.NewReaderSize(nc, 64<<10)
	}
	_ = c.c.SetDeadline(time.Now().Add(30 * time.Second))
	c.req = append(c.req[:0], "GET "...)
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	if c.auth != "" {
		c.req = append(c.req, "\r\nAuthorization: "...)
		c.req = append(c.req, c.auth...)
	}
	c.req = append(c.req, "\r\n\r\n"...)
	if _, err := c.c.Write(c.req); err != nil {
		return 0, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(h) <= 2 {
			break
		}
		name, value, _ := bytes.Cut(bytes.TrimRight(h, "\r\n"), []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	c.body.Reset()
	var sink io.Writer = io.Discard
	if keep {
		sink = &c.body
	}
	switch {
	case chunked:
		for {
			h, err := c.r.ReadSlice('\n')
			if err != nil {
				return 0, err
			}
			n, err := strconv.ParseInt(string(bytes.TrimRight(h, "\r\n")), 16, 64)
			if err != nil {
				return 0, fmt.Errorf("bad chunk size %q", h)
			}
			if n == 0 {
				if _, err := c.r.Discard(2); err != nil {
					return 0, err
				}
				break
			}
			if _, err := io.CopyN(sink, c.r, n); err != nil {
				return 0, err
			}
			if _, err := c.r.Discard(2); err != nil {
				return 0, err
			}
		}
	case length >= 0:
		if _, err := io.CopyN(sink, c.r, int64(length)); err != nil {
			return 0, err
		}
	default:
		return 0, errors.New("an answer with neither Content-Length nor chunks")
	}
	if closing {
		c.close()
	}
	return status, nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c, c.r = nil, nil
	}
}

// Result is what a mix measured.
type Result struct {
	Name     string
	N        int // requests done
	Errors   int
	Elapsed  time.Duration
	Lat      []time.Duration // sorted
	FirstErr string
}

// PerSec is the throughput.
func (r *Result) PerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.N) / r.Elapsed.Seconds()
}

// Pct returns the p-th quantile (0..1) of the latencies.
func (r *Result) Pct(p float64) time.Duration {
	if len(r.Lat) == 0 {
		return 0
	}
	return r.Lat[min(len(r.Lat)-1, int(p*float64(len(r.Lat))))]
}

// Limits bound a mix: it stops after N operations or D, whichever comes
// first.
type Limits struct {
	N int
	D time.Duration
}

// run calls op from conc workers until lim is reached and measures each
// call. op gets its worker and the operation's number (0, 1, ...).
func run(ctx context.Context, name string, conc int, lim Limits, op func(worker, i int) error) *Result {
	ctx, cancel := context.WithTimeout(ctx, lim.D)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	res := &Result{Name: name}
	start := time.Now()
	var wg sync.WaitGroup
	for w := range conc {
		wg.Go(func() {
			lat := make([]time.Duration, 0, lim.N/conc+1)
			errs, first := 0, ""
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= lim.N {
					break
				}
				t := time.Now()
				if err := op(w, i); err != nil {
					if errs == 0 {
						first = err.Error()
					}
					errs++
					continue
				}
				lat = append(lat, time.Since(t))
			}
			if len(first) > 300 {
				first = first[:300] + "…"
			}
			mu.Lock()
			res.Lat = append(res.Lat, lat...)
			res.Errors += errs
			if res.FirstErr == "" {
				res.FirstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.N = len(res.Lat)
	slices.Sort(res.Lat)
	return res
}

// getMix runs GET requests from conc connections to addr: path(i) is
// the i-th request's path.
func getMix(ctx context.Context, name, addr, auth string, conc int, lim Limits, path func(i int) string) *Result {
	conns := make([]*conn, conc)
	for i := range conns {
		conns[i] = dial(addr, auth)
	}
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	return run(ctx, name, conc, lim, func(w, i int) error {
		p := path(i)
		status, err := conns[w].get(p, false)
		if err == nil && status != 200 {
			err = fmt.Errorf("GET %s: status %d", p, status)
		}
		return err
	})
}

// hostPort returns the host:port of a base URL.
func hostPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return u.Host
}
