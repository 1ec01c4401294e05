package web

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync/atomic"

	"github.com/gin-gonic/gin"
)

// Answers in one write. net/http writes an answer through a 4 KB buffer:
// for a page of more than that it sends the header with the first few KB
// of the body in one system call and the rest in a second. On loopback and
// on a LAN each write that reaches a reader waiting in epoll wakes it, and
// waking a thread on another CPU (an inter-processor interrupt, dearer
// still in a VM) was most of the kernel's time in a view: with the two
// writes the reader woke twice per page. So a connection can be corked
// around a write of a whole answer: the buffer's first write is held (it
// is at most 4 KB and copied) and sent with the next one in a single
// writev, as a web server joins an answer's header and body. Only
// handlers that write a whole answer at once cork (writeWhole): a
// streamed answer that flushes as it goes must not have its flushes held.

// writeWhole answers with status and the whole body b, of type ctype
// (shared, never changed), in one write where the connection allows
// (see above). It says the body's length: net/http sends a body that
// outgrows its buffer in chunks otherwise.
func writeWhole(c *gin.Context, status int, ctype []string, b []byte) {
	writeWholeSized(c, status, ctype, contentLength(b), b)
}

// contentLength is the Content-Length header of an answer of body b.
func contentLength(b []byte) []string { return []string{strconv.Itoa(len(b))} }

// writeWholeSized is writeWhole with b's Content-Length made already
// (contentLength): an answer kept to be sent again keeps its own, shared
// and never changed, as ctype is.
func writeWholeSized(c *gin.Context, status int, ctype, clen []string, b []byte) {
	h := c.Writer.Header()
	h["Content-Type"] = ctype
	h["Content-Length"] = clen
	c.Writer.WriteHeader(status)
	cc := connOf(c.Request.Context())
	if cc == nil || len(b) <= heldMax {
		_, _ = c.Writer.Write(b)
		return
	}
	cc.cork()
	defer cc.uncork() // even if the write panics: a corked conn would hold the next answer
	_, _ = c.Writer.Write(b)
}

// ConnContext is for http.Server.ConnContext: it makes the connection
// reachable from its requests, for corking. A connection that did not
// come from CoalescingListener is never corked.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if cc, ok := c.(*coalescingConn); ok {
		return context.WithValue(ctx, connKey{}, cc)
	}
	return ctx
}

type connKey struct{}

// CoalescingListener wraps ln so that its TCP connections can be corked
// (see ConnContext).
func CoalescingListener(ln net.Listener) net.Listener { return coalescingListener{ln} }

type coalescingListener struct{ net.Listener }

func (l coalescingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok && err == nil {
		return &coalescingConn{TCPConn: tc}, nil
	}
	return c, err
}

// heldMax is the most a corked connection holds: net/http's buffer.
const heldMax = 4 << 10

// coalescingConn is a TCP connection that can hold one small write while
// corked. Only the goroutine serving the connection writes to it (and
// corks it), as net/http does for HTTP/1.
type coalescingConn struct {
	*net.TCPConn
	corked bool
	held   []byte
	vec    [2][]byte    // the held write and the next, for writev
	bufs   net.Buffers  // over vec; WriteTo consumes it
	sends  atomic.Int64 // writes made to the connection (tests count them)
}

// connOf returns the connection of a request's ctx, or nil.
func connOf(ctx context.Context) *coalescingConn {
	cc, _ := ctx.Value(connKey{}).(*coalescingConn)
	return cc
}

func (c *coalescingConn) cork() { c.corked = true }

// uncork sends what is held and stops holding.
func (c *coalescingConn) uncork() error {
	c.corked = false
	return c.flushHeld()
}

func (c *coalescingConn) flushHeld() error {
	if len(c.held) == 0 {
		return nil
	}
	c.sends.Add(1)
	_, err := c.TCPConn.Write(c.held)
	c.held = c.held[:0]
	return err
}

func (c *coalescingConn) Write(p []byte) (int, error) {
	if !c.corked {
		if err := c.flushHeld(); err != nil {
			return 0, err
		}
		c.sends.Add(1)
		return c.TCPConn.Write(p)
	}
	if len(c.held) == 0 && len(p) <= heldMax {
		c.held = append(c.held[:0], p...)
		return len(p), nil
	}
	if len(c.held) == 0 {
		c.sends.Add(1)
		return c.TCPConn.Write(p)
	}
	// The held write and this one, in one system call.
	held := len(c.held)
	c.sends.Add(1)
	c.vec = [2][]byte{c.held, p}
	c.bufs = c.vec[:]
	n, err := c.bufs.WriteTo(c.TCPConn)
	c.vec[1] = nil // p is the caller's
	c.held = c.held[:0]
	return max(int(n)-held, 0), err
}

// ReadFrom sends what is held before what net/http copies from r (a
// file, with sendfile).
func (c *coalescingConn) ReadFrom(r io.Reader) (int64, error) {
	if err := c.flushHeld(); err != nil {
		return 0, err
	}
	return c.TCPConn.ReadFrom(r)
}
