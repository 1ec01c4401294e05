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

	"github.com/faqwiki/faqwiki/wiki"
	"github.com/gin-gonic/gin"
)

// Config is what a Server is built from. Wiki is required.
type Config struct {
	Wiki     *wiki.Wiki
	Logger   *slog.Logger
	SiteName string // shown in the header and titles; default "faqwiki"
	// Health reports whether the backing stores answer; nil means healthy.
	Health func(ctx context.Context) error
	// Changed is called after every saved revision (e.g. to wake the search
	// indexer). It must not block.
	Changed func()
}

// Server serves faqwiki over HTTP. Build it with New.
type Server struct {
	cfg    Config
	wiki   *wiki.Wiki
	log    *slog.Logger
	engine *gin.Engine
	pages  *templateSet
	assets *assets
	csrf   *http.CrossOriginProtection
}

// New builds the router, parses every template and hashes the static
// files. A template that does not parse is an error here, not at the first
// request.
func New(cfg Config) (*Server, error) {
	if cfg.Wiki == nil {
		return nil, errors.New("web: Config.Wiki is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SiteName == "" {
		cfg.SiteName = "faqwiki"
	}
	if cfg.Changed == nil {
		cfg.Changed = func() {}
	}
	s := &Server{cfg: cfg, wiki: cfg.Wiki, log: cfg.Logger, csrf: http.NewCrossOriginProtection()}
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
	r.Use(s.logRequests, s.recoverPanics, s.securityHeaders, s.checkCSRF)

	r.GET("/", s.handleHome)
	r.GET("/healthz", s.handleHealth)
	r.GET("/static/:sum/:file", s.handleStatic)

	r.GET("/wiki/*slug", s.handlePageView)
	r.GET("/new", s.handlePageNew)
	r.POST("/new", s.handlePageCreate)
	r.GET("/edit/*slug", s.handlePageEdit)
	r.POST("/edit/*slug", s.handlePageSave)
	r.GET("/history/*slug", s.handlePageHistory)
	r.GET("/diff/*slug", s.handlePageDiff)
	r.POST("/revert/*slug", s.handlePageRevert)
	r.GET("/delete/*slug", s.handlePageDeleteConfirm)
	r.POST("/delete/*slug", s.handlePageDelete)
	r.POST("/preview", s.handlePreview)

	api := r.Group("/api/v1")
	api.GET("/pages", s.handleAPIPageList)
	api.Any("/pages/*rest", s.handleAPIPage)

	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)
	return r
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
