package bench

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// commitCounts are the server's counts of its commit transactions, read
// from /metrics: a save's time is mostly its wait for them (the one being
// written when it came, then its own), so the suite prints them next to
// the edits to say where their time went.
type commitCounts struct {
	transactions, commits, writes float64
	total, write                  histogram
}

// histogram is a Prometheus histogram: counts[i] is how many were at most
// bounds[i] (seconds, ascending; the last is +Inf).
type histogram struct {
	bounds, counts []float64
}

// commitCounts scrapes the server's /metrics.
func (s *suite) commitCounts(ctx context.Context) (commitCounts, error) {
	resp, err := s.get(ctx, "/metrics")
	if err != nil {
		return commitCounts{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return commitCounts{}, fmt.Errorf("bench: /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return commitCounts{}, fmt.Errorf("bench: /metrics: %w", err)
	}
	return parseCommitCounts(fams)
}

// parseCommitCounts picks the commit transactions' metrics out of fams.
func parseCommitCounts(fams map[string]*dto.MetricFamily) (commitCounts, error) {
	var c commitCounts
	var err error // the first metric missing
	missing := func(what string) {
		if err == nil {
			err = fmt.Errorf("bench: /metrics has no %s", what)
		}
	}
	counter := func(name string) float64 {
		f := fams[name]
		if f == nil || len(f.GetMetric()) != 1 {
			missing(name)
			return 0
		}
		return f.GetMetric()[0].GetCounter().GetValue()
	}
	hist := func(name string) histogram {
		f := fams[name]
		if f == nil || len(f.GetMetric()) != 1 || f.GetMetric()[0].GetHistogram() == nil {
			missing("histogram " + name)
			return histogram{}
		}
		m := f.GetMetric()[0].GetHistogram()
		var h histogram
		for _, b := range m.GetBucket() {
			h.bounds = append(h.bounds, b.GetUpperBound())
			h.counts = append(h.counts, float64(b.GetCumulativeCount()))
		}
		if len(h.bounds) == 0 || !math.IsInf(h.bounds[len(h.bounds)-1], 1) {
			h.bounds = append(h.bounds, math.Inf(1))
			h.counts = append(h.counts, float64(m.GetSampleCount()))
		}
		return h
	}
	c.transactions = counter("faqwiki_store_transactions_total")
	c.commits = counter("faqwiki_store_transaction_commits_total")
	c.writes = counter("faqwiki_store_transaction_writes_total")
	c.total = hist("faqwiki_store_transaction_seconds")
	c.write = hist("faqwiki_store_transaction_write_seconds")
	return c, err
}

// since returns what c counted after before.
func (c commitCounts) since(before commitCounts) commitCounts {
	return commitCounts{
		transactions: c.transactions - before.transactions,
		commits:      c.commits - before.commits,
		writes:       c.writes - before.writes,
		total:        c.total.since(before.total),
		write:        c.write.since(before.write),
	}
}

func (h histogram) since(before histogram) histogram {
	out := histogram{bounds: h.bounds, counts: append([]float64(nil), h.counts...)}
	if len(before.counts) == len(h.counts) {
		for i := range out.counts {
			out.counts[i] -= before.counts[i]
		}
	}
	return out
}

// quantile estimates the q-th quantile (0..1) as Prometheus's
// histogram_quantile does: linearly within the bucket it falls in. One
// in the last bucket (past every bound) is the last finite bound.
func (h histogram) quantile(q float64) time.Duration {
	if len(h.counts) == 0 || h.counts[len(h.counts)-1] == 0 {
		return 0
	}
	rank := q * h.counts[len(h.counts)-1]
	i := sort.Search(len(h.counts), func(i int) bool { return h.counts[i] >= rank })
	if i >= len(h.bounds)-1 {
		i = len(h.bounds) - 1
		if math.IsInf(h.bounds[i], 1) {
			if i == 0 {
				return 0
			}
			return seconds(h.bounds[i-1])
		}
	}
	lo, below := 0.0, 0.0
	if i > 0 {
		lo, below = h.bounds[i-1], h.counts[i-1]
	}
	in := h.counts[i] - below
	if in <= 0 {
		return seconds(h.bounds[i])
	}
	return seconds(lo + (h.bounds[i]-lo)*(rank-below)/in)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// String says how many transactions there were, how many saves each held
// and writes each made, and what they took, all and writing to the disk.
func (c commitCounts) String() string {
	if c.transactions <= 0 {
		return "no commit transactions"
	}
	return fmt.Sprintf("commit transactions: %.0f, %.1f saves and %.0f page writes each; each took p50 %s p99 %s p999 %s, of which writing to the disk p50 %s p99 %s p999 %s",
		c.transactions, c.commits/c.transactions, c.writes/c.transactions,
		ms(c.total.quantile(.5)), ms(c.total.quantile(.99)), ms(c.total.quantile(.999)),
		ms(c.write.quantile(.5)), ms(c.write.quantile(.99)), ms(c.write.quantile(.999)))
}
