package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/faqwiki/faqwiki/wiki/wikitest"
)

// TestPprofOnlyOnLoopback: -pprof refuses an address other machines
// reach, and serves the profiles' index on a loopback one until the
// context ends.
func TestPprofOnlyOnLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.168.1.5:6060", "example.com:6060", "6060"} {
		if err := loopbackOnly(addr); err == nil {
			t.Errorf("-pprof %q was accepted", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:6060", "[::1]:6060", "localhost:6060"} {
		if err := loopbackOnly(addr); err != nil {
			t.Errorf("-pprof %q: %v", addr, err)
		}
	}
	// A free port on loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	if err := servePprof(ctx, addr, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "goroutine") {
		t.Errorf("profiles index: %d %.200s", resp.StatusCode, body)
	}
	cancel()
	wikitest.Eventually(t, "the profiles listener to close with the context", func() bool {
		c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		_, err := c.Get("http://" + addr + "/debug/pprof/")
		return err != nil
	})
}
