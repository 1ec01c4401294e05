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
