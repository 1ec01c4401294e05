package search

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
)

// mappingVersion names the document layout and analysis below. Change it
// whenever either changes: Open then finds the stored version differs,
// deletes the index and rebuilds it from the store.
const mappingVersion = "faqwiki-sections-14"

// Fields of a section document. One document per section of a page, id
// slug + "#" + anchor (docID).
const (
	fieldSlug    = "slug"    // keyword: the page
	fieldTitle   = "title"   // stored only: the page title, on every section
	fieldHeading = "heading" // English, stored: the section's heading (the question)
	fieldText    = "text"    // stored only: the section's own text, for snippets
	fieldAll     = "all"     // English: title, heading and text together, what a query's words are looked for in
	fieldTags    = "tags"    // keyword, one term per tag: filter and facet
	fieldWords   = "words"   // on the first document only: the page's distinct words, lower-cased, unstemmed; the dictionary for typos
	fieldFirst   = "first"   // keyword "1" on the first document of each page, for tag listings
	fieldLevel   = "level"   // stored only: heading level, 0 for the intro
	fieldPreview = "preview" // stored only: for a section whose text is all in sub-sections, their beginning, for the snippet
	fieldSum     = "sum"     // stored only: a hash of the document's other fields, so an edit re-indexes only the sections it changed
	fieldParent  = "parent"  // stored only: the anchor of the question a sub-question belongs to ("" for none)
	fieldUnder   = "under"   // stored only: that question's heading, which a hit shows before the sub-question's ("Lost or stolen equipment › Other")
)

// Analyzers: textAnalyzer is bleve's English (possessives, lower case,
// stop words, Porter stemming) with faqwiki's forms filter before the
// stemmer, which puts irregular forms back to their plain word (forms.go),
// and a tokenizer that adds hyphenated compounds written solid
// (compound.go).
// wordsAnalyzer only splits at spaces: the words field
// is made of words that splitWords already cut out and lower-cased, the
// same way as a query's, so that suggestions are real words and not stems.
// (Running the Unicode word segmenter over every text a second time would
// triple the cost of indexing.)
const (
	textAnalyzer  = "faqwiki_en"
	wordsAnalyzer = "faqwiki_words"
)

// headingBonus weighs a query word found in a section's heading (the
// question) next to the same word anywhere in the section (fieldAll,
// weight 1). Measured on testdata/eval's tune split (eval_test.go): 0.1 to
// 0.35 all help against no bonus, 0.2 most; 0.5 and more let a single
// heading word outrank sections that have most of the question's words.
// Giving the title, the intro's title or a section's first words a bonus
// of their own, or BM25 with a b of 0.2 to 0.6, helped nothing or less.
const headingBonus = 0.2

// newMapping returns the index mapping for section documents.
func newMapping() (mapping.IndexMapping, error) {
	im := bleve.NewIndexMapping()
	// bleve's default tf-idf: its BM25 (v2.6) estimates a field's average
	// length from distinct terms per document, which punished long
	// sections; on testdata/eval it found the right page among the first
	// three for 4 points fewer of the tune questions.
	im.ScoringModel = index.TFIDFScoring
	im.DefaultAnalyzer = textAnalyzer
	if err := im.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     compoundTokenizerName,
		"token_filters": []any{en.PossessiveName, lowercase.Name, formsFilterName, en.StopName, porter.Name},
	}); err != nil {
		return nil, err
	}
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
	stored := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	doc.AddFieldMappingsAt(fieldTitle, stored())
	doc.AddFieldMappingsAt(fieldHeading, text(textAnalyzer, true))
	doc.AddFieldMappingsAt(fieldText, stored())
	doc.AddFieldMappingsAt(fieldTags, kw(true, true))
	doc.AddFieldMappingsAt(fieldWords, text(wordsAnalyzer, false))
	doc.AddFieldMappingsAt(fieldFirst, kw(false, false))
	doc.AddFieldMappingsAt(fieldLevel, level)
	all := text(textAnalyzer, false)
	all.IncludeTermVectors = true // positions, for phrase synonyms
	doc.AddFieldMappingsAt(fieldAll, all)
	doc.AddFieldMappingsAt(fieldPreview, stored())
	doc.AddFieldMappingsAt(fieldSum, stored())
	doc.AddFieldMappingsAt(fieldParent, stored())
	doc.AddFieldMappingsAt(fieldUnder, stored())
	// bleve's _all composite field is off: every query names its field,
	// and even empty the composite cost about a twentieth of indexing.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	im.DefaultMapping = doc
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	if err := im.Validate(); err != nil {
		return nil, err
	}
	return im, nil
}
