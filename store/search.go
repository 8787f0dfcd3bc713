package store

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reelvault/reelvault/domain"
)

// MaxSearchChars limits the length of a search text.
const MaxSearchChars = 1000

// The full-text index uses FTS5's unicode61 tokenizer, which splits words at
// spaces and punctuation. Chinese and Japanese are written without spaces,
// so a whole sentence would be one token and a two-character word inside it
// could never match (the trigram tokenizer needs three characters). The
// store therefore writes every CJK character as a token of its own and
// searches a CJK run as a phrase of consecutive characters: 森林 finds
// 制作森林探险视频. Other scripts stay words, searched by prefix.

// isCJK reports whether r belongs to a script written without spaces.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// isWordRune reports whether r is part of a word for unicode61.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// searchBody returns the text to index for parts: CJK characters separated
// by spaces, everything else unchanged.
func searchBody(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, r := range p {
			if isCJK(r) {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// matchQuery turns user text into an FTS5 query that matches every word
// (prefix) and every CJK run (phrase). The user's text is never parsed as
// FTS syntax: each term is a quoted string of letters and digits only.
// It returns EINVALID when the text has nothing to search for.
func matchQuery(text string) (string, error) {
	if !utf8.ValidString(text) {
		return "", domain.Invalidf("search", "The search text is not valid UTF-8.")
	}
	if utf8.RuneCountInString(text) > MaxSearchChars {
		return "", domain.Invalidf("search", "The search text is longer than %d characters.", MaxSearchChars)
	}
	var terms []string
	var word, cjk []rune
	flush := func() {
		if len(word) > 0 {
			terms = append(terms, `"`+string(word)+`"*`)
			word = word[:0]
		}
		if len(cjk) > 0 {
			chars := make([]string, len(cjk))
			for i, r := range cjk {
				chars[i] = string(r)
			}
			terms = append(terms, `"`+strings.Join(chars, " ")+`"`)
			cjk = cjk[:0]
		}
	}
	for _, r := range text {
		switch {
		case isCJK(r):
			if len(word) > 0 {
				flush()
			}
			cjk = append(cjk, r)
		case isWordRune(r):
			if len(cjk) > 0 {
				flush()
			}
			word = append(word, r)
		default:
			flush()
		}
	}
	flush()
	if len(terms) == 0 {
		return "", domain.Invalidf("search", "The search text must contain letters or digits.")
	}
	return strings.Join(terms, " "), nil
}

// SearchBody returns the text the full-text index holds for a task with the
// given prompt and scene descriptions. Code that inserts tasks without the
// TaskService (a bulk import) writes it to task_search with rowid = tasks.id.
func SearchBody(prompt string, descriptions ...string) string {
	return searchBody(append([]string{prompt}, descriptions...)...)
}
