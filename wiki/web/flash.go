package web

import (
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"
)

// setFlash leaves a one-time message for the next page the browser shows.
func (s *Server) setFlash(c *gin.Context, msg string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c), MaxAge: 60,
	})
}

// takeFlash returns the pending flash message, if any, and clears it.
func takeFlash(c *gin.Context, secure bool) string {
	ck, err := c.Request.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil || len(b) > 500 {
		return ""
	}
	return string(b)
}
