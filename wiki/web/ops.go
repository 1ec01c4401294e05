package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Running the server: health, metrics, backups, reverse proxies, request
// ids. The concrete pieces (the store, the index, the Prometheus registry)
// are wired in by cmd/faqwiki through Config; this package only sees
// their small interfaces.

// RequestObserver is told of every request when it is done: the route
// pattern that matched (or "unmatched"), the method, the status and how
// long it took. The binary's metrics implement it.
type RequestObserver interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

// Status is the health of the server's parts, as Config.Status reports it.
type Status struct {
	Store    error  // nil when the store answers
	Index    error  // nil when the search index answers
	StoreSeq uint64 // the newest change in the store's feed
	IndexSeq uint64 // the last change the index applied
	DBBytes  int64  // size of the database file
	// DBBytesInUse is how much of that file holds data: its pages less
	// the free ones (a file never shrinks; freed pages are reused).
	DBBytesInUse int64
}

// IndexLag is how many changes the index has not applied yet.
func (st Status) IndexLag() uint64 {
	if st.IndexSeq >= st.StoreSeq {
		return 0
	}
	return st.StoreSeq - st.IndexSeq
}

// DefaultMaxIndexLag is how far the index may be behind the store (in
// changes) before /healthz answers 503.
const DefaultMaxIndexLag = 1000

// healthAnswer is the body of /healthz. Everyone gets status; admins also
// get the detail.
type healthAnswer struct {
	Status   string   `json:"status"` // "ok" or "unavailable"
	Problems []string `json:"problems,omitempty"`
	*healthDetail
}

type healthDetail struct {
	Version       string `json:"version"`
	UptimeSeconds int64  `json:"uptime_seconds"`
	StoreSeq      uint64 `json:"store_seq"`
	IndexSeq      uint64 `json:"index_seq"`
	IndexLag      uint64 `json:"index_lag"`
	MaxIndexLag   uint64 `json:"max_index_lag"`
	DBBytes       int64  `json:"db_bytes"`
	DBBytesInUse  int64  `json:"db_bytes_in_use"`
}

// handleHealth answers 200 {"status":"ok"} when the store answers and the
// index is at most MaxIndexLag changes behind it, and 503 otherwise: a
// load balancer takes the node out while it catches up. What is wrong is
// said in words that give nothing away; admins see the figures too.
func (s *Server) handleHealth(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 5*time.Second)
	defer cancel()
	maxLag := s.cfg.MaxIndexLag
	if maxLag == 0 {
		maxLag = DefaultMaxIndexLag
	}
	var st Status
	switch {
	case s.cfg.Status != nil:
		st = s.cfg.Status(ctx)
	case s.cfg.Health != nil:
		st.Store = s.cfg.Health(ctx)
	}
	ans := healthAnswer{Status: "ok"}
	if st.Store != nil {
		s.log.Error("health check: the store does not answer", "err", st.Store, "request_id", reqID(c))
		ans.Problems = append(ans.Problems, "the store does not answer")
	}
	if st.Index != nil {
		s.log.Error("health check: the search index does not answer", "err", st.Index, "request_id", reqID(c))
		ans.Problems = append(ans.Problems, "the search index does not answer")
	}
	if lag := st.IndexLag(); lag > maxLag {
		ans.Problems = append(ans.Problems, fmt.Sprintf("the search index is %d changes behind the store", lag))
	}
	status := http.StatusOK
	if len(ans.Problems) > 0 {
		ans.Status = "unavailable"
		status = http.StatusServiceUnavailable
	}
	if wiki.UserFromContext(c.Request.Context()).Has(wiki.RoleAdmin) {
		d := &healthDetail{Version: s.cfg.Version, StoreSeq: st.StoreSeq, IndexSeq: st.IndexSeq,
			IndexLag: st.IndexLag(), MaxIndexLag: maxLag, DBBytes: st.DBBytes, DBBytesInUse: st.DBBytesInUse}
		if !s.cfg.Started.IsZero() {
			d.UptimeSeconds = int64(s.now().Sub(s.cfg.Started).Seconds())
		}
		ans.healthDetail = d
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, ans)
}

// isMetricsToken reports whether a bearer token sent to path is the
// metrics token, compared in constant time.
func (s *Server) isMetricsToken(path, token string) bool {
	return path == metricsURL() && s.cfg.MetricsToken != "" &&
		subtle.ConstantTimeCompare([]byte(token), []byte(s.cfg.MetricsToken)) == 1
}

// handleMetrics serves the metrics to the metrics token, an admin, or
// (with MetricsLocal) a client on this machine that did not come through
// a proxy.
func (s *Server) handleMetrics(c *gin.Context) {
	if s.cfg.Metrics == nil {
		s.fail(c, errNotFoundf("this server has no metrics"))
		return
	}
	switch {
	case stateOf(c).metrics, wiki.UserFromContext(c.Request.Context()).Has(wiki.RoleAdmin):
	case s.cfg.MetricsLocal && s.directLoopback(c):
	default:
		s.fail(c, errForbiddenf("metrics need the metrics token (Authorization: Bearer), an admin, or a request from this machine"))
		return
	}
	s.cfg.Metrics.ServeHTTP(c.Writer, c.Request)
}

// directLoopback reports whether the request came from this machine and
// not through a reverse proxy: a proxy on this machine forwarding someone
// else's request is not "local".
func (s *Server) directLoopback(c *gin.Context) bool {
	ip, err := netip.ParseAddrPort(c.Request.RemoteAddr)
	if err != nil || !ip.Addr().Unmap().IsLoopback() {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if c.GetHeader(h) != "" {
			return false
		}
	}
	return true
}

// parseProxies turns the trusted proxy setting into prefixes: the given
// addresses, or with trust set and none given, this machine and the
// private networks.
func parseProxies(trust bool, list []string) ([]netip.Prefix, error) {
	if len(list) == 0 && trust {
		list = []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}
	}
	var out []netip.Prefix
	for _, v := range list {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if !strings.Contains(v, "/") {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR range", v)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("%q is not an IP address or CIDR range", v)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// trustProxyHeaders reports whether the request came straight from a
// trusted reverse proxy, whose forwarding headers may be believed.
func (s *Server) trustProxyHeaders(c *gin.Context) bool {
	if len(s.proxies) == 0 {
		return false
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		host = c.Request.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseBaseURL checks the base URL setting: an absolute http or https URL
// without query or fragment. It returns it without a trailing slash.
func parseBaseURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%q is not an http or https address such as https://wiki.example.com", v)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// absURL makes path (from a URL helper) an absolute address for a link
// that leaves the site: from the base URL setting, or else from the
// request's host and scheme.
func (s *Server) absURL(c *gin.Context, path string) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL + path
	}
	scheme := "http"
	if s.secure(c) {
		scheme = "https"
	}
	host := c.Request.Host
	if s.trustProxyHeaders(c) {
		if h := c.GetHeader("X-Forwarded-Host"); h != "" && !strings.ContainsAny(h, "/\\@ ,") {
			host = h
		}
	}
	return scheme + "://" + host + path
}

// backupTimeout bounds the writing of one backup to the client; it
// replaces the server's write timeout for this response, which is sized
// for pages, not for a whole database.
const backupTimeout = time.Hour

// handleAPIBackup serves a verified copy of the database: the store writes
// it to a temporary file inside one read transaction and checks it, and
// only then is it sent, with its size and SHA-256. One backup runs at a
// time.
func (s *Server) handleAPIBackup(c *gin.Context) {
	if s.cfg.Backups == nil {
		s.fail(c, errNotFoundf("this server makes no backups over HTTP"))
		return
	}
	select {
	case s.backups <- struct{}{}:
		defer func() { <-s.backups }()
	default:
		s.fail(c, wiki.ErrBusy)
		return
	}
	ctx := c.Request.Context()
	snap, err := s.cfg.Backups.Snapshot(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer os.Remove(snap.Path)
	f, err := os.Open(snap.Path)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer f.Close()
	rc := http.NewResponseController(c.Writer)
	if err := rc.SetWriteDeadline(time.Now().Add(backupTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.log.Warn("backup: cannot extend the write deadline", "err", err, "request_id", reqID(c))
	}
	name := fmt.Sprintf("faqwiki-%s-seq%d.db", snap.CreatedAt.UTC().Format("20060102T150405Z"), snap.Seq)
	h := c.Writer.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.FormatInt(snap.Size, 10))
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Checksum-Sha256", snap.SHA256)
	h.Set("X-Faqwiki-Seq", strconv.FormatUint(snap.Seq, 10))
	h.Set("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	n, err := io.Copy(c.Writer, f)
	if err != nil {
		s.log.Warn("backup: the client did not take the whole file", "sent", n, "size", snap.Size, "err", err, "request_id", reqID(c))
		return
	}
	s.log.Info("backup served", "bytes", n, "seq", snap.Seq, "pages", snap.Pages, "revisions", snap.Revisions,
		"sha256", snap.SHA256, "user", wiki.UserFromContext(ctx).Name, "request_id", reqID(c))
}
