package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// failForm sends each kind of failure down its one path.
func TestFailForm(t *testing.T) {
	ts := newTestServer(t)
	conflict := map[string]string{"id": "is taken"}
	tests := []struct {
		name       string
		err        error
		conflict   map[string]string
		wantShown  bool
		wantStatus int
		wantErrs   map[string]string
	}{
		{"validation", wiki.Invalid("title", "is required"), conflict, true, http.StatusUnprocessableEntity, map[string]string{"title": "is required"}},
		{"wrapped validation", fmt.Errorf("save: %w", wiki.Invalid("title", "is required")), nil, true, http.StatusUnprocessableEntity, map[string]string{"title": "is required"}},
		{"conflict with a field to blame", fmt.Errorf("cohort: %w", wiki.ErrConflict), conflict, true, http.StatusConflict, conflict},
		{"conflict without one", wiki.ErrConflict, nil, false, http.StatusConflict, nil},
		{"busy", wiki.ErrBusy, nil, true, http.StatusServiceUnavailable, map[string]string{formKey: "the server is busy; try again in a moment"}},
		{"too complex", wiki.ErrTooComplex, nil, true, http.StatusUnprocessableEntity, nil},
		{"internal", errors.New("disk on fire"), conflict, false, http.StatusInternalServerError, nil},
		{"not found", wiki.ErrNotFound, nil, false, http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodPost, "/new", nil)
			shown, status := false, 0
			var errs map[string]string
			ts.srv.failForm(c, tt.err, func(st int, e map[string]string) { shown, status, errs = true, st, e }, tt.conflict)
			if shown != tt.wantShown {
				t.Fatalf("form shown again = %v, want %v", shown, tt.wantShown)
			}
			if !shown {
				status = w.Code
			}
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			for k, v := range tt.wantErrs {
				if errs[k] != v {
					t.Errorf("errs[%q] = %q, want %q", k, errs[k], v)
				}
			}
			if shown && len(errs) == 0 {
				t.Error("the form is shown again without saying what went wrong")
			}
		})
	}
}

// TestCameFrom: an error page offers the way back to a form's page of
// this wiki only: not to another site, not for a plain GET.
func TestCameFrom(t *testing.T) {
	for _, tt := range []struct{ method, referer, want string }{
		{"POST", "http://example.com/diff/p?from=2&to=3", "/diff/p?from=2&to=3"},
		{"POST", "http://example.com/wiki/a%20b", "/wiki/a%20b"},
		{"POST", "http://evil.example/wiki/p", ""},
		{"POST", "http://example.com//evil.example/x", ""},
		{"POST", "javascript:alert(1)", ""},
		{"POST", "", ""},
		{"GET", "http://example.com/wiki/p", ""},
	} {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest(tt.method, "/undo/p", nil)
		c.Request.Header.Set("Referer", tt.referer)
		if got := cameFrom(c); got != tt.want {
			t.Errorf("%s from %q: %q, want %q", tt.method, tt.referer, got, tt.want)
		}
	}
}
