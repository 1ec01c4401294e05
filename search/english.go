package search

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sync"
)

// english.txt.gz lists English words (see english-words-LICENSE.txt). A
// word on it is never corrected: a real word the wiki lacks ("dental") is
// a question the wiki does not answer, not a typo of a word it has
// ("detail").
//
//go:embed english.txt.gz
var englishGz []byte

var (
	englishOnce  sync.Once
	englishWords map[string]bool
)

// isEnglish reports whether w (lower case) is an English word.
func isEnglish(w string) bool {
	englishOnce.Do(func() {
		englishWords = map[string]bool{}
		zr, err := gzip.NewReader(bytes.NewReader(englishGz))
		if err != nil {
			return // a broken build; correct as before
		}
		sc := bufio.NewScanner(zr)
		for sc.Scan() {
			englishWords[sc.Text()] = true
		}
	})
	return englishWords[w]
}
