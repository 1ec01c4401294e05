package web

import "github.com/gin-gonic/gin"

// The home page's "open questions" slot: questions people asked that
// nobody has answered yet, for those who can answer them. Questions are
// issue 10's; until they land the slot is empty. To fill it, give
// homeQuestions its fields, load them here (a few store reads: the home
// page is opened often) and draw them in templates/partials/home_questions.html.

// homeQuestions is what the slot shows.
type homeQuestions struct{}

func (s *Server) homeQuestions(c *gin.Context) homeQuestions { return homeQuestions{} }
