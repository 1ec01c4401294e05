// Package web is faqwiki's HTTP layer: the gin router with the HTML pages
// people use and the JSON API under /api/v1 that tools use, plus the
// middleware around them (request logging, panic recovery, security
// headers, CSRF, body limits) and the mapping of domain errors to statuses.
//
// It imports wiki and never store or search: cmd/faqwiki wires the concrete
// types in through Config.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Config is what a Server is built from. Wiki, Accounts, Cohorts and
// Search are required.
type Config struct {
	Wiki     *wiki.Wiki
	Accounts *wiki.Accounts
	Cohorts  *wiki.Cohorts
	Logger   *slog.Logger
	// OpenReading lets visitors who are not signed in read and search.
	// Off by default: onboarding content is usually internal.
	OpenReading bool
	// TrustProxy honours X-Forwarded-For and X-Forwarded-Proto from a
	// reverse proxy on this machine or the private network.
	TrustProxy bool
	SiteName   string // shown in the header and titles; default "faqwiki"
	// Clock tells the time for "3 minutes ago" and default dates; default
	// time.Now.
	Clock wiki.Clock
	// Health reports whether the backing stores answer; nil means healthy.
	Health func(ctx context.Context) error
	// Search answers searches; SearchLog records them for the gap list
	// (nil: searches are not logged).
	Search    wiki.Searcher
	SearchLog wiki.SearchLog
}

// Server serves faqwiki over HTTP. Build it with New.
type Server struct {
	cfg      Config
	wiki     *wiki.Wiki
	accounts *wiki.Accounts
	cohorts  *wiki.Cohorts
	now      wiki.Clock
	log      *slog.Logger
	engine   *gin.Engine
	pages    *templateSet
	assets   *assets
	csrf     *http.CrossOriginProtection
}

// New builds the router, parses every template and hashes the static
// files. A template that does not parse is an error here, not at the first
// request.
func New(cfg Config) (*Server, error) {
	if cfg.Wiki == nil || cfg.Accounts == nil || cfg.Cohorts == nil || cfg.Search == nil {
		return nil, errors.New("web: Config.Wiki, Config.Accounts, Config.Cohorts and Config.Search are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "faqwiki"
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	s := &Server{cfg: cfg, wiki: cfg.Wiki, accounts: cfg.Accounts, cohorts: cfg.Cohorts, now: cfg.Clock, log: cfg.Logger, csrf: http.NewCrossOriginProtection()}
	var err error
	if s.assets, err = newAssets(); err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	if s.pages, err = parseTemplates(s.templateFuncs()); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.engine = s.routes()
	return s, nil
}

// ServeHTTP makes the Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.engine.ServeHTTP(w, r)
}

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.RedirectTrailingSlash = true
	trusted := []string(nil)
	if s.cfg.TrustProxy {
		trusted = []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}
	}
	if err := r.SetTrustedProxies(trusted); err != nil {
		panic(err) // the list above is constant and valid
	}
	r.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.limitBodies, s.identify, s.checkCSRF)

	// Anyone: signing in, signing up with an invite, the first-run setup.
	r.GET("/healthz", s.handleHealth)
	r.GET("/static/:sum/:file", s.handleStatic)
	r.GET(loginURL(), s.handleLoginForm)
	r.POST(loginURL(), s.handleLogin)
	r.POST(logoutURL(), s.handleLogout)
	r.GET(signupURL(), s.handleSignupForm)
	r.POST(signupURL(), s.handleSignup)
	r.GET("/setup/:token", s.handleSetupForm)
	r.POST("/setup/:token", s.handleSetup)
	api := r.Group(prefixAPI)
	api.POST("/session", s.handleAPILogin)
	api.DELETE("/session", s.handleAPILogout)
	api.POST("/signup", s.handleAPISignup)

	// Readers (everyone, when the site is open for reading).
	read := r.Group("/", s.require(wiki.RoleReader))
	read.GET(homeURL(), s.handleHome)
	read.GET(prefixWiki+"*slug", s.handlePageView)
	read.GET(prefixHistory+"*slug", s.handlePageHistory)
	read.GET(prefixDiff+"*slug", s.handlePageDiff)
	read.GET(cohortsURL(), s.handleCohorts)
	read.GET(cohortURL(":id"), s.handleCohort)
	read.GET(prefixPeople+":name", s.handlePerson)
	read.GET(prefixSearch, s.handleSearch)
	read.GET(prefixSearch+"/open", s.handleSearchOpen)
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/pages", s.handleAPIPageList)
	readAPI.GET("/cohorts", s.handleAPICohorts)
	readAPI.GET("/cohorts/:id/handover", s.handleAPIHandover)
	readAPI.GET("/users/:name", s.handleAPIPerson)
	readAPI.GET("/search", s.handleAPISearch)
	// Every method under /pages/{slug}: the handler checks the role each
	// action needs, since the slug's end is only known there.
	api.Any("/pages/*rest", s.handleAPIPage)

	// Signed in, whatever the role.
	signedIn := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	signedIn.GET(accountURL(), s.handleAccount)
	signedIn.POST(passwordURL(), s.handlePasswordChange)

	// Editors: every new hire.
	edit := r.Group("/", s.require(wiki.RoleEditor))
	edit.GET(newPageURL(""), s.handlePageNew)
	edit.POST(newPageURL(""), s.handlePageCreate)
	edit.GET(prefixEdit+"*slug", s.handlePageEdit)
	edit.POST(prefixEdit+"*slug", s.handlePageSave)
	edit.POST("/preview", s.handlePreview)

	// Trainers: revert, delete, cohorts.
	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.POST(prefixRevert+"*slug", s.handlePageRevert)
	train.GET(prefixDelete+"*slug", s.handlePageDeleteConfirm)
	train.POST(prefixDelete+"*slug", s.handlePageDelete)
	train.POST(cohortsURL(), s.handleCohortCreate)
	train.POST(cohortInviteURL(":id"), s.handleCohortRotate)
	train.POST(cohortMembersURL(":id"), s.handleCohortMove)
	train.GET(gapsURL(), s.handleGaps)
	trainAPI := api.Group("/", s.require(wiki.RoleTrainer))
	trainAPI.POST("/cohorts", s.handleAPICohortCreate)
	trainAPI.POST("/cohorts/:id/invite", s.handleAPICohortRotate)
	trainAPI.POST("/cohorts/:id/members", s.handleAPICohortMove)
	trainAPI.GET("/search/gaps", s.handleAPIGaps)

	// Admins: people and roles.
	admin := r.Group("/", s.require(wiki.RoleAdmin))
	admin.GET(adminUsersURL(), s.handleAdminUsers)
	admin.POST(adminUserURL(":name"), s.handleAdminUserUpdate)
	adminAPI := api.Group("/", s.require(wiki.RoleAdmin))
	adminAPI.GET("/users", s.handleAPIUsers)
	adminAPI.PATCH("/users/:name", s.handleAPIUserPatch)

	s.reviewRoutes(r, api)

	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)
	return r
}

// reviewRoutes adds recent changes, review, blame, links and watching
// (issue 9), grouped by role like the routes above.
func (s *Server) reviewRoutes(r *gin.Engine, api *gin.RouterGroup) {
	// Feeds authenticate themselves: a feed token in the URL, or the
	// session (see feedUser).
	r.GET(changesAtomPath(), s.handleChangesAtom)
	r.GET(watchingAtomPath(), s.handleWatchingAtom)

	read := r.Group("/", s.require(wiki.RoleReader))
	read.GET(changesPath(), s.handleChanges)
	read.GET(prefixBlame+"*slug", s.handlePageBlame)
	read.GET(wantedURL(), s.handleWanted)
	read.GET(orphansURL(), s.handleOrphans)
	readAPI := api.Group("/", s.require(wiki.RoleReader))
	readAPI.GET("/changes", s.handleAPIChanges)
	readAPI.GET("/wanted", s.handleAPIWanted)
	readAPI.GET("/orphans", s.handleAPIOrphans)
	readAPI.GET("/cohorts/:id/reading", s.handleAPICohortReading)

	me := r.Group("/", s.require(wiki.RoleReader), s.requireAccount)
	me.GET(watchingURL(), s.handleWatching)
	me.POST(feedTokenURL(), s.handleFeedTokenNew)
	me.POST(prefixWatch+"*slug", s.handleWatch)
	meAPI := api.Group("/", s.require(wiki.RoleReader), s.requireAPIAccount)
	meAPI.GET("/me/watching", s.handleAPIWatching)
	meAPI.POST("/me/feed-token", s.handleAPIFeedToken)

	train := r.Group("/", s.require(wiki.RoleTrainer))
	train.GET(reviewURL(), s.handleReview)
	train.POST(reviewURL(), s.handleReviewAction)
	train.POST(cohortReadingURL(":id"), s.handleCohortReading)
	trainAPI := api.Group("/", s.require(wiki.RoleTrainer))
	trainAPI.GET("/review", s.handleAPIReview)
	trainAPI.PUT("/cohorts/:id/reading", s.handleAPICohortReadingSet)
}

// requireAPIAccount is requireAccount for the API: 401 instead of a
// redirect.
func (s *Server) requireAPIAccount(c *gin.Context) {
	if !wiki.UserFromContext(c.Request.Context()).SignedIn() {
		s.fail(c, &publicError{http.StatusUnauthorized, "unauthorized", "this needs an account: sign in or send an API token"})
		c.Abort()
		return
	}
	c.Next()
}

// requireAccount refuses visitors who read an open wiki without an
// account: pages about "your account" need one.
func (s *Server) requireAccount(c *gin.Context) {
	if !wiki.UserFromContext(c.Request.Context()).SignedIn() {
		redirectToLogin(c)
		c.Abort()
		return
	}
	c.Next()
}

func (s *Server) handleHealth(c *gin.Context) {
	if s.cfg.Health != nil {
		if err := s.cfg.Health(c.Request.Context()); err != nil {
			s.log.Error("health check failed", "err", err)
			c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}
