package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// mappingVersion names the document layout and analysis below. Change it
// whenever either changes: Open then finds the stored version differs,
// deletes the index and rebuilds it from the store.
const mappingVersion = "faqwiki-sections-5"

// Fields of a section document. One document per section of a page, id
// slug + "#" + anchor (docID).
const (
	fieldSlug    = "slug"    // keyword: the page
	fieldTitle   = "title"   // English: the page title, on every section
	fieldHeading = "heading" // English: the section's heading (the question)
	fieldText    = "text"    // English: the section's own text
	fieldTags    = "tags"    // keyword, one term per tag: filter and facet
	fieldWords   = "words"   // on the first document only: the page's distinct words, lower-cased, unstemmed; the dictionary for typos
	fieldFirst   = "first"   // keyword "1" on the first document of each page, for tag listings
	fieldLevel   = "level"   // stored only: heading level, 0 for the intro
	fieldLead    = "lead"    // English, on the intro only: the title, as the intro's heading
	fieldPreview = "preview" // stored only: for a section whose text is all in sub-sections, their beginning, for the snippet
)

// Analyzers: "en" is bleve's English (possessives, lower case, stop words,
// Porter stemming). wordsAnalyzer only splits at spaces: the words field
// is made of words that splitWords already cut out and lower-cased, the
// same way as a query's, so that suggestions are real words and not stems.
// (Running the Unicode word segmenter over every text a second time would
// triple the cost of indexing.)
const (
	textAnalyzer  = en.AnalyzerName
	wordsAnalyzer = "faqwiki_words"
)

// Query-time weights of the fields: the title and the headings are the
// questions people ask, so a word there counts for more than the same
// word in an answer. The title is on every section of a page and so
// cannot tell them apart; the intro also carries it as its "heading"
// (lead), a little lighter than a real question, so that a query about
// the page's topic lands on the page while a query that names a question
// lands on that question. Checked on testdata/recall.tsv (recall_test.go):
// the ranking is not sensitive to the exact values.
const (
	boostTitle   = 2.0
	boostHeading = 3.0
	boostText    = 1.0
	boostLead    = 1.5
)

// newMapping returns the index mapping for section documents.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	im.ScoringModel = index.BM25Scoring
	im.DefaultAnalyzer = textAnalyzer
	if err := im.AddCustomAnalyzer(wordsAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     whitespace.Name,
		"token_filters": []any{},
	}); err != nil {
		return nil, err
	}

	text := func(analyzer string, store bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = false // snippets are highlighted by re-analysing the text
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(store, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues
		return f
	}
	level := bleve.NewNumericFieldMapping()
	level.Index = false
	level.IncludeInAll = false
	level.DocValues = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fieldSlug, kw(true, false))
	doc.AddFieldMappingsAt(fieldTitle, text(textAnalyzer, true))
	doc.AddFieldMappingsAt(fieldHeading, text(textAnalyzer, true))
	doc.AddFieldMappingsAt(fieldText, text(textAnalyzer, true))
	doc.AddFieldMappingsAt(fieldTags, kw(true, true))
	doc.AddFieldMappingsAt(fieldWords, text(wordsAnalyzer, false))
	doc.AddFieldMappingsAt(fieldFirst, kw(false, false))
	doc.AddFieldMappingsAt(fieldLevel, level)
	doc.AddFieldMappingsAt(fieldLead, text(textAnalyzer, false))
	preview := bleve.NewTextFieldMapping()
	preview.Index = false
	preview.Store = true
	preview.IncludeInAll = false
	preview.IncludeTermVectors = false
	doc.AddFieldMappingsAt(fieldPreview, preview)
	im.DefaultMapping = doc
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	if err := im.Validate(); err != nil {
		return nil, err
	}
	return im, nil
}
