package bench

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/gin-gonic/gin"
	"go.etcd.io/bbolt"
)

// The ceilings: what this machine does at most for each kind of work,
// each measured in a process of its own, pinned to the CPU the server
// runs on, while the server idles. The suite runs them as
// "faqwiki bench ceiling-..." and reads their result as JSON on standard
// output.

// jsonResult is a Result as a ceiling process prints it.
type jsonResult struct {
	N       int     `json:"n"`
	Errors  int     `json:"errors"`
	Elapsed int64   `json:"elapsed_ns"`
	Lat     []int64 `json:"lat_ns"`
	Err     string  `json:"err,omitempty"`
	// Extra is a figure of the ceiling's own (pages indexed, bytes).
	Extra float64 `json:"extra,omitempty"`
	// TxWriteTimes are the raw bbolt ceiling's transactions' times
	// writing to the disk, and TxPageWrites how many page writes they
	// made between them.
	TxWriteTimes []int64 `json:"tx_write_ns,omitempty"`
	TxPageWrites int64   `json:"tx_page_writes,omitempty"`
}

func toJSON(r *Result) jsonResult {
	j := jsonResult{N: r.N, Errors: r.Errors, Elapsed: int64(r.Elapsed), Err: r.FirstErr}
	for _, d := range r.Lat {
		j.Lat = append(j.Lat, int64(d))
	}
	return j
}

func fromJSON(name string, j jsonResult) *Result {
	r := &Result{Name: name, N: j.N, Errors: j.Errors, Elapsed: time.Duration(j.Elapsed), FirstErr: j.Err}
	for _, d := range j.Lat {
		r.Lat = append(r.Lat, time.Duration(d))
	}
	return r
}

// CeilingGin serves body, with contentType, to every GET on addr from a
// bare gin engine (release mode, no middleware) until ctx ends: the most
// any gin handler can do for a page of those bytes. It prints "ready"
// once it listens.
func CeilingGin(ctx context.Context, out io.Writer, addr, bodyFile, contentType string) error {
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/*path", func(c *gin.Context) { c.Data(http.StatusOK, contentType, body) })
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintln(out, "ready")
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// CeilingBolt commits from conc writers, each with bbolt's Batch (its
// default settings), one value of size bytes per commit into a new file
// at path, up to lim: the most fsynced, grouped commits this disk takes.
func CeilingBolt(ctx context.Context, out io.Writer, path string, conc, size int, lim Limits) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	defer os.Remove(path)
	defer db.Close()
	name := []byte("b")
	if err := db.Update(func(tx *bbolt.Tx) error { _, err := tx.CreateBucketIfNotExists(name); return err }); err != nil {
		return err
	}
	value := make([]byte, size)
	for i := range value {
		value[i] = byte('a' + i%26)
	}
	// Each transaction's time writing to the disk, as faqwiki's /metrics
	// counts its own: Batch's functions of one transaction run one after
	// another, and the next transaction begins after this one's commit.
	var mu sync.Mutex
	var last *bbolt.Tx
	var times []int64
	var pages int64
	r := run(ctx, "bbolt", conc, lim, func(w, i int) error {
		return db.Batch(func(tx *bbolt.Tx) error {
			mu.Lock()
			if tx != last {
				last = tx
				tx.OnCommit(func() {
					st := tx.Stats()
					mu.Lock()
					times = append(times, int64(st.GetWriteTime()))
					pages += st.GetWrite()
					mu.Unlock()
				})
			}
			mu.Unlock()
			return tx.Bucket(name).Put(binary.BigEndian.AppendUint64(nil, uint64(i)), value)
		})
	})
	j := toJSON(r)
	mu.Lock()
	j.TxWriteTimes, j.TxPageWrites = times, pages
	mu.Unlock()
	return json.NewEncoder(out).Encode(j)
}

// CeilingBleveQuery runs each query of queriesFile (one a line) as a
// bleve match query on field of the index in dir, opened read-only, the
// ten best documents with no stored fields, from conc workers up to lim:
// what the same index answers without faqwiki's query planning, typo
// handling, grouping and snippets.
func CeilingBleveQuery(ctx context.Context, out io.Writer, dir, field, queriesFile string, conc int, lim Limits) error {
	queries, err := readLines(queriesFile)
	if err != nil {
		return err
	}
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		return err
	}
	defer idx.Close()
	r := run(ctx, "bleve", conc, lim, func(w, i int) error {
		q := query.NewMatchQuery(queries[i%len(queries)])
		q.SetField(field)
		_, err := idx.SearchInContext(ctx, bleve.NewSearchRequestOptions(q, 10, 0, false))
		return err
	})
	return json.NewEncoder(out).Encode(toJSON(r))
}

// CeilingBleveIndex indexes the pages of pagesFile (JSON lines of Page)
// into a new index in dir with bleve's default mapping, a document of
// title and text per page, in batches of 100: bleve's own indexing
// throughput for the same text. Extra is the index's size on disk.
func CeilingBleveIndex(ctx context.Context, out io.Writer, dir, pagesFile string) error {
	f, err := os.Open(pagesFile)
	if err != nil {
		return err
	}
	defer f.Close()
	idx, err := bleve.New(dir, bleve.NewIndexMapping())
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	b := idx.NewBatch()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 4<<20)
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var p Page
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			return err
		}
		if err := b.Index(p.Slug, map[string]any{"title": p.Title, "text": p.Markdown, "tags": p.Tags}); err != nil {
			return err
		}
		n++
		if b.Size() >= 100 {
			if err := idx.Batch(b); err != nil {
				return err
			}
			b.Reset()
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := idx.Batch(b); err != nil {
		return err
	}
	if err := idx.Close(); err != nil {
		return err
	}
	j := jsonResult{N: n, Elapsed: int64(time.Since(start)), Extra: float64(dirSize(dir))}
	return json.NewEncoder(out).Encode(j)
}

func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if t := sc.Text(); t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no lines", path)
	}
	return out, sc.Err()
}

// dirSize is the bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
