package web

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// connPair returns a corkable server side of a loopback TCP connection
// and its client side.
func connPair(t *testing.T) (*coalescingConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cl := CoalescingListener(ln)
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c, err := cl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cc, ok := c.(*coalescingConn)
	if !ok {
		t.Fatalf("Accept gave %T, want *coalescingConn", c)
	}
	return cc, client
}

func readN(t *testing.T, c net.Conn, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := io.ReadFull(c, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCoalescingConn: corked, the first small write is held and goes out
// with the next one in one send; uncorked, every write is a send of its
// own; the bytes arrive whole and in order either way.
func TestCoalescingConn(t *testing.T) {
	cc, client := connPair(t)
	head := bytes.Repeat([]byte("h"), 300)
	body := bytes.Repeat([]byte("0123456789"), 3000)

	cc.cork()
	if n, err := cc.Write(head); n != len(head) || err != nil {
		t.Fatalf("held write: %d %v", n, err)
	}
	if cc.sends.Load() != 0 {
		t.Fatalf("a corked small write was sent at once (%d sends)", cc.sends.Load())
	}
	if n, err := cc.Write(body); n != len(body) || err != nil {
		t.Fatalf("second write: %d, %v; want %d", n, err, len(body))
	}
	if cc.sends.Load() != 1 {
		t.Errorf("corked head and body took %d sends, want 1", cc.sends.Load())
	}
	if err := cc.uncork(); err != nil {
		t.Fatal(err)
	}
	if got := readN(t, client, len(head)+len(body)); !bytes.Equal(got, append(append([]byte{}, head...), body...)) {
		t.Fatal("bytes arrived changed or out of order")
	}

	// Uncorked: no holding.
	cc.sends.Store(0)
	_, _ = cc.Write(head)
	_, _ = cc.Write(body)
	if cc.sends.Load() != 2 {
		t.Errorf("uncorked writes took %d sends, want 2", cc.sends.Load())
	}
	readN(t, client, len(head)+len(body))

	// A held write with nothing after it goes out at uncork.
	cc.sends.Store(0)
	cc.cork()
	_, _ = cc.Write([]byte("tail"))
	if err := cc.uncork(); err != nil {
		t.Fatal(err)
	}
	if cc.sends.Load() != 1 {
		t.Errorf("uncork sent %d times, want 1", cc.sends.Load())
	}
	if got := string(readN(t, client, 4)); got != "tail" {
		t.Errorf("got %q after uncork", got)
	}

	// A write larger than the held limit is never held.
	cc.sends.Store(0)
	cc.cork()
	_, _ = cc.Write(body)
	if cc.sends.Load() != 1 {
		t.Errorf("a large corked write was held (%d sends)", cc.sends.Load())
	}
	_ = cc.uncork()
	readN(t, client, len(body))
}

// TestCoalescingConnReadFrom: what is held goes before what ReadFrom
// copies (net/http sends files that way).
func TestCoalescingConnReadFrom(t *testing.T) {
	cc, client := connPair(t)
	cc.cork()
	_, _ = cc.Write([]byte("head:"))
	if _, err := cc.ReadFrom(strings.NewReader("file")); err != nil {
		t.Fatal(err)
	}
	_ = cc.uncork()
	if got := string(readN(t, client, 9)); got != "head:file" {
		t.Errorf("got %q, want head:file", got)
	}
}

// recordingListener keeps the connections it accepts.
type recordingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []*coalescingConn
}

func (l *recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if cc, ok := c.(*coalescingConn); ok {
		l.mu.Lock()
		l.conns = append(l.conns, cc)
		l.mu.Unlock()
	}
	return c, err
}

// roundTrip sends a request with token on conn and reads its answer from
// br (conn's reader), body and all.
func roundTrip(t *testing.T, conn net.Conn, br *bufio.Reader, method, url, token string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// TestPageAnswerInOneSend: through the real router on a real server, a
// long page's answer (header and body, far more than net/http's 4 KB
// buffer) goes out in one send, with its length, and is byte for byte the
// answer the router gives without corking; a keep-alive connection
// serves the next request as well.
func TestPageAnswerInOneSend(t *testing.T) {
	ts := newTestServer(t)
	var md strings.Builder
	for i := range 300 {
		md.WriteString("## Question " + strings.Repeat("x", i%7) + "?\n\nAn answer that goes on for a while, with words.\n\n")
	}
	ts.create("long", "Long", md.String())
	want := ts.apiAs(ts.token, "GET", "/wiki/long", "")
	wantStatus(t, want, 200)
	if want.Body.Len() < 4*heldMax {
		t.Fatalf("the page is only %d bytes", want.Body.Len())
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rl := &recordingListener{Listener: CoalescingListener(ln)}
	hs := &http.Server{Handler: ts.srv, ConnContext: ConnContext}
	go func() { _ = hs.Serve(rl) }()
	defer hs.Shutdown(context.Background())

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	page := "http://" + ln.Addr().String() + "/wiki/long"
	for i := range 2 {
		res, got := roundTrip(t, conn, br, "GET", page, ts.token)
		if res.StatusCode != 200 || res.ContentLength != int64(len(got)) || len(res.TransferEncoding) != 0 {
			t.Errorf("request %d: status %d, length %d, transfer %v for %d bytes", i, res.StatusCode, res.ContentLength, res.TransferEncoding, len(got))
		}
		if !bytes.Equal(got, want.Body.Bytes()) {
			t.Errorf("request %d: the answer differs from the router's", i)
		}
	}
	rl.mu.Lock()
	if len(rl.conns) != 1 {
		t.Fatalf("%d connections, want 1", len(rl.conns))
	}
	cc := rl.conns[0]
	rl.mu.Unlock()
	if s := cc.sends.Load(); s != 2 {
		t.Errorf("two long answers took %d sends, want 2 (one each)", s)
	}

	// HEAD: the header alone, with the page's length, and the connection
	// is not left corked (the GET after it is answered).
	for _, method := range []string{"HEAD", "GET"} {
		res, got := roundTrip(t, conn, br, method, page, ts.token)
		if res.StatusCode != 200 || res.ContentLength != int64(want.Body.Len()) || (method == "HEAD") != (len(got) == 0) {
			t.Errorf("%s: status %d, length %d, %d bytes of body", method, res.StatusCode, res.ContentLength, len(got))
		}
	}
	if s := cc.sends.Load(); s != 4 {
		t.Errorf("after a HEAD and a GET: %d sends, want 4 (one each)", s)
	}
}

// TestConnContextOther: a connection that is not a corkable one leaves
// the context as it is, so writeWhole finds no connection to cork.
func TestConnContextOther(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	if ConnContext(ctx, a) != ctx || connOf(ctx) != nil {
		t.Error("a pipe connection was given a corkable conn")
	}
}
