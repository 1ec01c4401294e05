package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/faqwiki/faqwiki/wiki/diff"
	"github.com/gin-gonic/gin"
)

// The synonym list: everyone may read it and its history; trainers edit
// and revert it, as a page. See wiki.Synonyms.

// withSynonyms runs h on a wiki with a synonym list, and answers 404 on
// one without.
func (s *Server) withSynonyms(h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.cfg.Synonyms == nil {
			s.fail(c, errNotFoundf("this wiki has no synonym list"))
			return
		}
		h(c)
	}
}

// synonymsPage is the data of search_synonyms.html: the list, and for
// trainers the form to edit it.
type synonymsPage struct {
	BasePage
	List     *wiki.SynonymList
	Groups   [][]string
	Form     synonymForm
	Base     int
	Errors   map[string]string
	Conflict *synonymConflict
}

// synonymConflict shows an overlapping edit of the list.
type synonymConflict struct {
	Current *wiki.Revision
	Diff    []diff.Block
}

// synonymForm is what the edit form posts (and PUT sends as JSON).
type synonymForm struct {
	Text    string `form:"text" json:"text"`
	Summary string `form:"summary" json:"summary"`
	Base    int    `form:"base_revision" json:"base_revision"`
}

func (s *Server) handleSynonyms(c *gin.Context) {
	l, err := s.cfg.Synonyms.Current(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	v := &synonymsPage{BasePage: s.base(c, "Search synonyms"), List: l, Groups: l.Groups(), Form: synonymForm{Text: l.Text}, Base: l.Revision}
	s.render(c, http.StatusOK, "search_synonyms.html", v)
}

func (s *Server) handleSynonymsSave(c *gin.Context) {
	var f synonymForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	res, err := s.cfg.Synonyms.Save(c.Request.Context(), wiki.SynonymEdit{Text: f.Text, Summary: f.Summary, Base: f.Base})
	var ce *wiki.ConflictError
	if err != nil {
		v := &synonymsPage{BasePage: s.base(c, "Search synonyms"), Form: f, Base: f.Base}
		if cur, cerr := s.cfg.Synonyms.Current(c.Request.Context()); cerr == nil {
			v.List, v.Groups = cur, cur.Groups()
		}
		if errors.As(err, &ce) {
			v.Form.Text = ce.Yours
			v.Conflict = &synonymConflict{Current: ce.Current, Diff: diff.Compare(ce.Current.Markdown, ce.Yours).Inline(3)}
			v.Base = ce.Current.Number
			s.render(c, http.StatusConflict, "search_synonyms.html", v)
			return
		}
		s.failForm(c, err, func(status int, errs map[string]string) {
			v.Errors = errs
			s.render(c, status, "search_synonyms.html", v)
		}, nil)
		return
	}
	switch {
	case res.Unchanged:
		s.setFlash(c, "No changes to save: the list already reads like that.")
	case res.Merged:
		s.setFlash(c, "Saved revision "+strconv.Itoa(res.List.Revision)+", merged with changes someone saved meanwhile. Search uses it now.")
	default:
		s.setFlash(c, "Saved revision "+strconv.Itoa(res.List.Revision)+". Search uses it now.")
	}
	c.Redirect(http.StatusSeeOther, synonymsURL())
}

// synonymAddForm is what the gap list's "add to the synonyms" button
// posts: a gap's query and the query that answered it.
type synonymAddForm struct {
	Gap   string `form:"gap"`
	Terms string `form:"terms"`
}

func (s *Server) handleSynonymsAdd(c *gin.Context) {
	var f synonymAddForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	res, err := s.cfg.Synonyms.AddGroup(c.Request.Context(), []string{f.Gap, f.Terms}, "Added from the gap list")
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Unchanged {
		s.setFlash(c, "The list already has that group.")
	} else {
		s.setFlash(c, "Added “"+f.Gap+", "+f.Terms+"” to the synonyms (revision "+strconv.Itoa(res.List.Revision)+"): a search for either now finds both. Edit the list to refine it.")
	}
	c.Redirect(http.StatusSeeOther, gapsURL())
}

// synonymHistoryPage is the data of search_synonyms_history.html.
type synonymHistoryPage struct {
	BasePage
	Revisions []*wiki.SynonymList
}

func (s *Server) handleSynonymsHistory(c *gin.Context) {
	revs, err := s.cfg.Synonyms.Revisions(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "search_synonyms_history.html", &synonymHistoryPage{BasePage: s.base(c, "History of the search synonyms"), Revisions: revs})
}

// synonymDiffPage is the data of search_synonyms_diff.html.
type synonymDiffPage struct {
	BasePage
	From, To *wiki.SynonymList
	Inline   []diff.Block
	Added    int
	Removed  int
}

func (s *Server) handleSynonymsDiff(c *gin.Context) {
	cur, err := s.cfg.Synonyms.Current(c.Request.Context())
	from, to := 0, 0
	if err == nil {
		from, to, err = parseRange(c, cur.Revision)
	}
	var d *diff.Diff
	var revs [2]*wiki.SynonymList
	if err == nil {
		d, revs, err = s.cfg.Synonyms.Diff(c.Request.Context(), from, to)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "search_synonyms_diff.html", &synonymDiffPage{BasePage: s.base(c, "Changes to the search synonyms"),
		From: revs[0], To: revs[1], Inline: d.Inline(3), Added: d.Added, Removed: d.Removed})
}

func (s *Server) handleSynonymsRevert(c *gin.Context) {
	var f revertForm
	if err := c.ShouldBind(&f); err != nil {
		s.fail(c, formError(err))
		return
	}
	res, err := s.cfg.Synonyms.Revert(c.Request.Context(), f.Revision, f.Summary)
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Unchanged {
		s.setFlash(c, "The list already reads like revision "+strconv.Itoa(f.Revision)+".")
	} else {
		s.setFlash(c, "Restored revision "+strconv.Itoa(f.Revision)+" as revision "+strconv.Itoa(res.List.Revision)+".")
	}
	c.Redirect(http.StatusSeeOther, synonymsURL())
}

// API shapes of the synonym list.

type apiSynonyms struct {
	Revision  int        `json:"revision"`
	Text      string     `json:"text"`
	Groups    [][]string `json:"groups"`
	Author    string     `json:"author"`
	Cohort    string     `json:"cohort"`
	Summary   string     `json:"summary"`
	UpdatedAt *time.Time `json:"updated_at"`
}

type apiSynonymRevision struct {
	Revision  int       `json:"revision"`
	Author    string    `json:"author"`
	Cohort    string    `json:"cohort"`
	Summary   string    `json:"summary"`
	CreatedAt time.Time `json:"created_at"`
	Base      int       `json:"base_revision"`
	Merged    bool      `json:"merged"`
	RevertOf  int       `json:"revert_of,omitempty"`
	Added     int       `json:"added"`
	Removed   int       `json:"removed"`
	Text      *string   `json:"text,omitempty"`
}

func toAPISynonymRevision(l *wiki.SynonymList, withText bool) apiSynonymRevision {
	out := apiSynonymRevision{Revision: l.Revision, Author: l.Author, Cohort: l.Cohort, Summary: l.Summary, CreatedAt: l.CreatedAt.UTC(),
		Base: l.Base, Merged: l.Merged, RevertOf: l.RevertOf, Added: l.Added, Removed: l.Removed}
	if withText {
		t := l.Text
		out.Text = &t
	}
	return out
}

func (s *Server) handleAPISynonyms(c *gin.Context) {
	l, err := s.cfg.Synonyms.Current(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := apiSynonyms{Revision: l.Revision, Text: l.Text, Groups: l.Groups(), Author: l.Author, Cohort: l.Cohort, Summary: l.Summary}
	if out.Groups == nil {
		out.Groups = [][]string{}
	}
	if l.Revision > 0 {
		t := l.CreatedAt.UTC()
		out.UpdatedAt = &t
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) handleAPISynonymsPut(c *gin.Context) {
	var f synonymForm
	if err := decodeJSON(c, &f); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Synonyms.Save(c.Request.Context(), wiki.SynonymEdit{Text: f.Text, Summary: f.Summary, Base: f.Base})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSynonymsSaved{Revision: res.List.Revision, Merged: res.Merged, Unchanged: res.Unchanged})
}

// apiSynonymsSaved is the answer to PUT /api/v1/search/synonyms: a page's
// save answer without the slug, which the list has none of.
type apiSynonymsSaved struct {
	Revision  int  `json:"revision"`
	Merged    bool `json:"merged"`
	Unchanged bool `json:"unchanged"`
}

func (s *Server) handleAPISynonymRevisions(c *gin.Context) {
	revs, err := s.cfg.Synonyms.Revisions(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]apiSynonymRevision, 0, len(revs))
	for _, r := range revs {
		out = append(out, toAPISynonymRevision(r, false))
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) handleAPISynonymRevision(c *gin.Context) {
	n, err := strconv.Atoi(c.Param("n"))
	if err != nil || n < 1 {
		s.fail(c, errBadRequestf("%q is not a revision number (1 or more)", c.Param("n")))
		return
	}
	l, err := s.cfg.Synonyms.Revision(c.Request.Context(), n)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPISynonymRevision(l, true))
}

func (s *Server) handleAPISynonymsRevert(c *gin.Context) {
	var req apiRevertRequest
	if err := decodeJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.cfg.Synonyms.Revert(c.Request.Context(), req.Revision, req.Summary)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, apiSaveResponse{Revision: res.List.Revision, Unchanged: res.Unchanged})
}
