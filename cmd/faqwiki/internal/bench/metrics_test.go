package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// exposition is /metrics as a server prints it, cut to the commit
// transactions: 10 of them, 4 at most 1 ms, 8 at most 5 ms, 9 at most
// 20 ms and one slower than every bound.
const exposition = `# TYPE faqwiki_store_transactions_total counter
faqwiki_store_transactions_total 10
# TYPE faqwiki_store_transaction_commits_total counter
faqwiki_store_transaction_commits_total 35
# TYPE faqwiki_store_transaction_writes_total counter
faqwiki_store_transaction_writes_total 200
# TYPE faqwiki_store_transaction_seconds histogram
faqwiki_store_transaction_seconds_bucket{le="0.001"} 4
faqwiki_store_transaction_seconds_bucket{le="0.005"} 8
faqwiki_store_transaction_seconds_bucket{le="0.02"} 9
faqwiki_store_transaction_seconds_bucket{le="+Inf"} 10
faqwiki_store_transaction_seconds_sum 0.5
faqwiki_store_transaction_seconds_count 10
# TYPE faqwiki_store_transaction_write_seconds histogram
faqwiki_store_transaction_write_seconds_bucket{le="0.001"} 10
faqwiki_store_transaction_write_seconds_bucket{le="0.005"} 10
faqwiki_store_transaction_write_seconds_bucket{le="0.02"} 10
faqwiki_store_transaction_write_seconds_bucket{le="+Inf"} 10
faqwiki_store_transaction_write_seconds_sum 0.004
faqwiki_store_transaction_write_seconds_count 10
`

func parseExposition(t *testing.T, text string) commitCounts {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseCommitCounts(fams)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCommitCountsQuantiles: quantiles fall within their bucket, linearly,
// as Prometheus's histogram_quantile puts them; one past every bound is
// the last bound; a difference of two scrapes counts what came between.
func TestCommitCountsQuantiles(t *testing.T) {
	c := parseExposition(t, exposition)
	if c.transactions != 10 || c.commits != 35 {
		t.Fatalf("transactions %v, commits %v; want 10, 35", c.transactions, c.commits)
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{
		{0.2, 500 * time.Microsecond}, // rank 2 of the first 4, from 0 to 1 ms
		{0.6, 3 * time.Millisecond},   // rank 6: halfway through 1-5 ms
		{0.9, 20 * time.Millisecond},  // rank 9: the top of 5-20 ms
		{0.99, 20 * time.Millisecond}, // past every bound
	} {
		if got := c.total.quantile(tc.q); got != tc.want {
			t.Errorf("quantile %v = %s, want %s", tc.q, got, tc.want)
		}
	}
	if got := c.write.quantile(.99); got != 990*time.Microsecond {
		t.Errorf("write p99 = %s, want 0.99 ms", got)
	}

	// A later scrape, less this one: 5 more transactions, all at most
	// 1 ms.
	later := parseExposition(t, strings.NewReplacer(
		"transactions_total 10", "transactions_total 15",
		"commits_total 35", "commits_total 60",
		"writes_total 200", "writes_total 300",
		`seconds_bucket{le="0.001"} 4`, `seconds_bucket{le="0.001"} 9`,
		`seconds_bucket{le="0.005"} 8`, `seconds_bucket{le="0.005"} 13`,
		`seconds_bucket{le="0.02"} 9`, `seconds_bucket{le="0.02"} 14`,
		`seconds_bucket{le="+Inf"} 10`, `seconds_bucket{le="+Inf"} 15`,
	).Replace(exposition))
	d := later.since(c)
	if d.transactions != 5 || d.commits != 25 || d.writes != 100 {
		t.Errorf("between the scrapes: %v transactions, %v commits, %v writes; want 5, 25, 100", d.transactions, d.commits, d.writes)
	}
	if got := d.total.quantile(.99); got > time.Millisecond {
		t.Errorf("between the scrapes every transaction took at most 1 ms, but p99 = %s", got)
	}
	s := d.String()
	for _, want := range []string{"commit transactions: 5, 5.0 saves and 20 page writes each", "p99 0.99", "writing to the disk p50"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if s := (commitCounts{}).String(); s != "no commit transactions" {
		t.Errorf("no transactions: %q", s)
	}
}

// TestCommitCountsMissing: a server without the metrics is an error, not
// a row of zeros.
func TestCommitCountsMissing(t *testing.T) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader("# TYPE other_total counter\nother_total 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseCommitCounts(fams); err == nil || !strings.Contains(err.Error(), "faqwiki_store_transactions_total") {
		t.Errorf("err = %v, want one that names the missing metric", err)
	}
}
