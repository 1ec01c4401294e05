package search

import (
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

// Porter stemming joins a word's regular forms ("travelled", "travels",
// "travel"), but not the irregular ones people type: "someone stole my
// phone" never reached "Lost or stolen equipment", nor "when do I get
// paid" the pay period ("paid" stays "paid", "pay" becomes "pai"). The
// forms filter puts an irregular form back to its plain word before
// stemming. It also keeps a few words from the stemmer where Porter makes
// two unrelated words one ("severance" and "several" both become "sever").
//
// Left out on purpose: forms that are also common words of their own
// ("left" as in left and right, "saw", "found", "felt", "fed", "stuck";
// "lost", which as "lose" matched "Use or lose" for "lost my laptop"),
// forms of stop words ("was", "had", "did"), and the light verbs of every
// question ("got", "went", "made", "took", "said"): as "get" or "go" they
// weighed as little as the commonest words, and on testdata/eval's tune
// split "got a jury summons" and "flight got cancelled" fell behind.
const formsFilterName = "faqwiki_forms"

// irregularForms lists, one line each, a plain word and its irregular
// forms.
const irregularForms = `
arise arose arisen
awake awoke awoken
beat beaten
become became
begin began begun
bend bent
blow blew blown
break broke broken
bring brought
build built
burn burnt
buy bought
catch caught
choose chose chosen
deal dealt
draw drew drawn
dream dreamt
drink drank drunk
drive drove driven
eat ate eaten
fight fought
flee fled
fly flew flown
forbid forbade forbidden
forget forgot forgotten
forgive forgave forgiven
freeze froze frozen
grow grew grown
hang hung
hear heard
hide hid hidden
hold held
keep kept
lead led
lean leant
leap leapt
learn learnt
lend lent
meet met
mislead misled
mistake mistook mistaken
overhear overheard
overpay overpaid
overtake overtook overtaken
pay paid
prove proven
rebuild rebuilt
rewrite rewrote rewritten
ride rode ridden
ring rang rung
run ran
seek sought
sell sold
send sent
shake shook shaken
shoot shot
show shown
shrink shrank shrunk
sleep slept
speak spoke spoken
speed sped
spend spent
spill spilt
stand stood
steal stole stolen
strike struck stricken
swear swore sworn
teach taught
tear tore torn
throw threw thrown
underpay underpaid
understand understood
undertake undertook undertaken
uphold upheld
wake woke woken
wear wore worn
win won
withdraw withdrew withdrawn
withhold withheld
write wrote written
child children
foot feet
man men
mouse mice
tooth teeth
woman women
`

// keptWords are not stemmed: Porter would make each the same as an
// unrelated word (given after it).
var keptWords = map[string]bool{
	"severance": true, // several
}

// plainForms maps each irregular form to its plain word.
var plainForms = func() map[string]string {
	m := map[string]string{}
	for line := range strings.Lines(irregularForms) {
		if f := strings.Fields(line); len(f) > 1 {
			for _, form := range f[1:] {
				m[form] = f[0]
			}
		}
	}
	return m
}()

// formsFilter is the token filter: lower-cased tokens in, plain words (or
// tokens marked to be kept from the stemmer) out.
type formsFilter struct{}

func (formsFilter) Filter(input analysis.TokenStream) analysis.TokenStream {
	for _, t := range input {
		if p, ok := plainForms[string(t.Term)]; ok {
			t.Term = []byte(p)
		} else if keptWords[string(t.Term)] {
			t.KeyWord = true
		}
	}
	return input
}

func init() {
	if err := registry.RegisterTokenFilter(formsFilterName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return formsFilter{}, nil
	}); err != nil {
		panic(err)
	}
}
