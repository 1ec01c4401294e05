package main

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/faqwiki/faqwiki/search"
	"github.com/faqwiki/faqwiki/store"
	"github.com/faqwiki/faqwiki/wiki"
)

// The server's metrics, in the Prometheus text format at /metrics. The
// Prometheus client is used here only: the web layer reports requests
// through web.RequestObserver, searches are timed by a wrapper around the
// index, and the services, the index and the store keep plain counters
// that a collector reads at each scrape. So wiki, web, search and store
// know nothing of Prometheus.

// metrics holds the registry and the instruments that are updated as
// things happen (the rest are read at scrape time by statsCollector).
type metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // route, method, code
	latency  *prometheus.HistogramVec // route, method
	byLabels sync.Map                 // requestLabels -> *requestMetrics

	searches      *prometheus.CounterVec // result: hits, none, error
	searchLatency prometheus.Histogram
}

// metricSources are what the scrape-time metrics are read from.
type metricSources struct {
	wiki     *wiki.Wiki
	accounts *wiki.Accounts
	index    *search.Index
	db       *store.DB
}

func newMetrics(src metricSources) *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faqwiki_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "faqwiki_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.searches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "faqwiki_searches_total",
		Help: "Searches with words, by result: hits, none (nothing found: the zero-result rate is none over the sum) or error.",
	}, []string{"result"})
	m.searchLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "faqwiki_search_duration_seconds",
		Help:    "Time the search index took to answer a search.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	for _, r := range []string{"hits", "none", "error"} {
		m.searches.WithLabelValues(r) // present from the start, at 0
	}
	m.reg.MustRegister(m.requests, m.latency, m.searches, m.searchLatency,
		newStatsCollector(src),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// handler serves the registry.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveRequest implements web.RequestObserver. A method other than the
// standard ones counts as "other": a client chooses the method, and each
// label value is a time series kept for good.
func (m *metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	k := requestLabels{route, knownMethod(method), status}
	o, ok := m.byLabels.Load(k)
	if !ok {
		o, _ = m.byLabels.LoadOrStore(k, &requestMetrics{
			count:   m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(status)),
			latency: m.latency.WithLabelValues(k.route, k.method),
		})
	}
	rm := o.(*requestMetrics)
	rm.count.Inc()
	rm.latency.Observe(d.Seconds())
}

// requestLabels are the labels of a request's metrics; requestMetrics
// its two series, looked up once per set of labels (the vectors hash the
// label values on every call, on every request).
type (
	requestLabels struct {
		route, method string
		status        int
	}
	requestMetrics struct {
		count   prometheus.Counter
		latency prometheus.Observer
	}
)

// knownMethod returns method if it is one of HTTP's standard methods,
// else "other".
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

// timedSearcher times the searches of a wiki.Searcher and counts those
// that found nothing.
type timedSearcher struct {
	wiki.Searcher
	m *metrics
}

var _ wiki.Searcher = timedSearcher{}

func (s timedSearcher) Search(ctx context.Context, q wiki.SearchQuery) (*wiki.SearchResult, error) {
	start := time.Now()
	res, err := s.Searcher.Search(ctx, q)
	s.m.searchLatency.Observe(time.Since(start).Seconds())
	if strings.TrimSpace(q.Text) == "" {
		return res, err // a tag listing, not a search
	}
	switch {
	case err != nil:
		s.m.searches.WithLabelValues("error").Inc()
	case res.Total == 0:
		s.m.searches.WithLabelValues("none").Inc()
	default:
		s.m.searches.WithLabelValues("hits").Inc()
	}
	return res, err
}

// statsCollector reads the services', the index's and the store's counts
// at each scrape.
type statsCollector struct {
	src metricSources

	edits, merged, conflicts, unchanged, storageFailures *prometheus.Desc
	renders, previews                                    *prometheus.Desc
	loginFailures, rateLimited                           *prometheus.Desc
	storeSeq, indexSeq, indexLag                         *prometheus.Desc
	indexApplied, indexRebuilds, indexResets             *prometheus.Desc
	indexAhead, indexFailures                            *prometheus.Desc
	txs, txCommits, txWrites                             *prometheus.Desc
	txSeconds, txWriteSeconds                            *prometheus.Desc
	dbBytes, buildInfo                                   *prometheus.Desc
}

func newStatsCollector(src metricSources) *statsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &statsCollector{
		src:             src,
		edits:           d("faqwiki_edits_total", "Revisions committed, by kind: create, edit, revert (and restore), delete.", "kind"),
		merged:          d("faqwiki_edits_merged_total", "Edits saved by merging them with changes made since their base revision."),
		conflicts:       d("faqwiki_edit_conflicts_total", "Edits refused because they overlap a newer change (nothing saved; the editor keeps the text)."),
		unchanged:       d("faqwiki_edits_unchanged_total", "Saves of the current text, which make no revision."),
		storageFailures: d("faqwiki_edit_storage_failures_total", "Changes the store could not write to disk (full or failing); nothing of them was saved."),
		renders:         d("faqwiki_renders_total", "Renders of saved revisions, by cache: hit (from the render cache) or miss (rendered).", "cache"),
		previews:        d("faqwiki_previews_total", "Renders of unsaved text: previews and the check before each save."),
		loginFailures:   d("faqwiki_login_failures_total", "Sign-ins refused for a wrong username or password, or a disabled account."),
		rateLimited:     d("faqwiki_rate_limited_total", "Sign-ins and sign-ups refused for too many failures."),
		storeSeq:        d("faqwiki_store_seq", "Sequence number of the newest change in the store's change feed."),
		indexSeq:        d("faqwiki_index_seq", "The last change-feed sequence number the search index has applied."),
		indexLag:        d("faqwiki_index_lag_changes", "Changes the search index has not applied yet."),
		indexApplied:    d("faqwiki_index_changes_applied_total", "Changes the search index applied by catching up with the feed."),
		indexRebuilds:   d("faqwiki_index_rebuilds_total", "Search indexes rebuilt from every page (new, lost, damaged or ahead of the store, or reindex)."),
		indexResets:     d("faqwiki_index_resets_total", "Unusable search indexes (damaged, or of another mapping) deleted to be rebuilt."),
		indexAhead:      d("faqwiki_index_ahead_total", "Times the search index was found ahead of the store's feed and rebuilt."),
		indexFailures:   d("faqwiki_index_failures_total", "Catch-ups of the search index that failed and were retried."),
		txs:             d("faqwiki_store_transactions_total", "Write transactions of page changes, each holding the changes saved while the one before it was written (rolled back ones too)."),
		txCommits:       d("faqwiki_store_transaction_commits_total", "Page changes that landed in those transactions: over faqwiki_store_transactions_total, how many share each fsync."),
		txWrites:        d("faqwiki_store_transaction_writes_total", "Writes to the database file by those transactions: a page each that a change touched (or a run of pages of a big value), and the root; their time writing grows with them."),
		txSeconds:       d("faqwiki_store_transaction_seconds", "Time each write transaction of page changes took: a save waits for the one being written, then its own."),
		txWriteSeconds:  d("faqwiki_store_transaction_write_seconds", "Time each write transaction of page changes spent writing its pages to the disk and syncing them (twice: data, then the root)."),
		dbBytes:         d("faqwiki_db_size_bytes", "Size of the database file."),
		buildInfo:       d("faqwiki_build_info", "Always 1; the labels say which faqwiki this is.", "version", "goversion"),
	}
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.edits, c.merged, c.conflicts, c.unchanged, c.storageFailures,
		c.renders, c.previews, c.loginFailures, c.rateLimited, c.storeSeq, c.indexSeq, c.indexLag,
		c.indexApplied, c.indexRebuilds, c.indexResets, c.indexAhead, c.indexFailures,
		c.txs, c.txCommits, c.txWrites, c.txSeconds, c.txWriteSeconds, c.dbBytes, c.buildInfo} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	w := c.src.wiki.Stats()
	counter(c.edits, w.Created, "create")
	counter(c.edits, w.Edited, "edit")
	counter(c.edits, w.Reverted, "revert")
	counter(c.edits, w.Deleted, "delete")
	counter(c.merged, w.Merged)
	counter(c.conflicts, w.Conflicts)
	counter(c.unchanged, w.Unchanged)
	counter(c.storageFailures, w.StorageFailures)
	counter(c.renders, w.RenderCacheHits, "hit")
	counter(c.renders, w.RenderCacheMisses, "miss")
	counter(c.previews, w.Previews)
	a := c.src.accounts.Stats()
	counter(c.loginFailures, a.LoginFailures)
	counter(c.rateLimited, a.RateLimited)
	ix := c.src.index.Stats()
	gauge(c.indexSeq, float64(ix.Seq))
	if last, err := c.src.db.LastSeq(context.Background()); err == nil {
		gauge(c.storeSeq, float64(last))
		lag := uint64(0)
		if last > ix.Seq {
			lag = last - ix.Seq
		}
		gauge(c.indexLag, float64(lag))
	}
	counter(c.indexApplied, ix.Applied)
	counter(c.indexRebuilds, ix.Rebuilds)
	counter(c.indexResets, ix.Resets)
	counter(c.indexAhead, ix.Ahead)
	counter(c.indexFailures, ix.Failures)
	tx := c.src.db.TxStats()
	counter(c.txs, tx.Transactions)
	counter(c.txCommits, tx.Commits)
	counter(c.txWrites, tx.Writes)
	ch <- constHistogram(c.txSeconds, tx.Total)
	ch <- constHistogram(c.txWriteSeconds, tx.Write)
	if fi, err := os.Stat(c.src.db.Path()); err == nil {
		gauge(c.dbBytes, float64(fi.Size()))
	}
	gauge(c.buildInfo, 1, version(), runtime.Version())
}

// constHistogram is d's histogram of the durations h counted in the
// store's buckets (store.TxBounds).
func constHistogram(d *prometheus.Desc, h store.Durations) prometheus.Metric {
	buckets := make(map[float64]uint64, len(h.Counts))
	var count uint64
	for i, b := range store.TxBounds() {
		count += h.Counts[i]
		buckets[b.Seconds()] = count
	}
	count += h.Counts[len(h.Counts)-1]
	return prometheus.MustNewConstHistogram(d, count, h.Sum.Seconds(), buckets)
}
