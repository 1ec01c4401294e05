package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// formKey is the Errors key of a message about the whole form rather than
// one field (the server was busy, the text was too complex to render).
const formKey = "form"

// showForm draws a form again with the person's input kept, the given
// status, and messages per field (formKey for the form as a whole).
type showForm func(status int, errs map[string]string)

// failForm is the one way a form whose action failed with err is
// answered:
//   - a *wiki.ValidationError shows the form again, 422, with its fields;
//   - wiki.ErrConflict shows it again, 409, with conflict's messages (the
//     field to blame), or takes the shared failure path if conflict is nil;
//   - wiki.ErrBusy, wiki.ErrTooComplex and wiki.ErrStorage (a full disk)
//     show it again with their status and message, so nothing typed is
//     lost to a busy server or a full disk;
//   - anything else takes the shared failure path (Server.fail).
//
// Conflicting page edits carry both texts and have their own screen; the
// edit form handles *wiki.ConflictError before calling this.
func (s *Server) failForm(c *gin.Context, err error, show showForm, conflict map[string]string) {
	var ve *wiki.ValidationError
	switch {
	case errors.As(err, &ve):
		show(http.StatusUnprocessableEntity, ve.Fields)
	case errors.Is(err, wiki.ErrConflict) && conflict != nil:
		show(http.StatusConflict, conflict)
	case errors.Is(err, wiki.ErrBusy), errors.Is(err, wiki.ErrTooComplex), errors.Is(err, wiki.ErrFileTooLarge), errors.Is(err, wiki.ErrStorage):
		status, body := classify(err)
		if status >= 500 {
			s.log.Error("request failed", "method", c.Request.Method, "route", routeLabel(c), "path", logPath(c), "request_id", reqID(c), "err", err)
		}
		show(status, map[string]string{formKey: body.Message})
	default:
		s.fail(c, err)
	}
}

// queryTag reads ?tag= as tags are filed ("Onboarding" is "onboarding");
// "" for none.
func queryTag(c *gin.Context) string {
	if t := strings.TrimSpace(c.Query("tag")); t != "" {
		return wiki.NormalizeTag(t)
	}
	return ""
}

// queryLimit reads ?limit=: 0 when absent, else a number from 1 to max,
// or the error to answer.
func queryLimit(c *gin.Context, max int) (int, error) {
	v := c.Query("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, errBadRequestf("limit must be a number from 1 to %d", max)
	}
	return n, nil
}
