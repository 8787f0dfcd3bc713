package store

import (
	"cmp"
	"slices"
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

// searchColumns selects a task found through task_search s. CROSS JOIN
// keeps task_search the outer loop (SQLite never reorders it), so that the
// walk in rowid order stops after a page even when a user or status filter
// would tempt the planner to start from a tasks index and sort.
var searchColumns = strings.Replace(taskColumns, "FROM tasks t", "FROM task_search s\nCROSS JOIN tasks t ON t.id = s.rowid", 1)

// searchSQL returns the query that walks the matches of q newest id first,
// skipping the tasks listed in task_search_late.
func (q taskQuery) searchSQL(a domain.Actor) (string, []any) {
	match := q.match
	q.match = ""
	where, args := q.where(a)
	return `SELECT` + searchColumns + `
		WHERE task_search MATCH ?
			AND t.id NOT IN (SELECT task_id FROM task_search_late)` + strings.Replace(where, " WHERE ", " AND ", 1) + `
		ORDER BY s.rowid DESC
		LIMIT ?`, append(append([]any{match}, args...), q.limit+1)
}

// searchTasks is findTasks for a full-text query on SQLite: one page of the
// matching tasks, newest first, plus one row to tell whether more follow.
//
// Sorting every match by created_at would cost a row lookup per match (tens
// of milliseconds for a common word in a million tasks). Instead FTS5 walks
// its matches newest id first and the walk stops after a page: for every task
// not listed in task_search_late, id order is created_at order (see
// migrations/00003_search_order.sql). The listed ones, usually none, are
// searched apart and merged in.
func searchTasks(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, error) {
	n := q.limit + 1
	query, args := q.searchSQL(a)
	rows, err := selectTasks(tx, query, args...)
	if err != nil {
		return nil, err
	}

	var late bool
	if err := tx.get(&late, `SELECT EXISTS (SELECT 1 FROM task_search_late)`); err != nil {
		return nil, err
	}
	if !late {
		return rows, nil
	}
	// Walk every match, but touch tasks only for the listed ones: the
	// probe of the small task_search_late table is cheap.
	match := q.match
	q.match = ""
	where, args := q.where(a)
	query = `SELECT` + strings.Replace(taskColumns, "FROM tasks t", `FROM task_search s
		CROSS JOIN task_search_late l ON l.task_id = s.rowid
		CROSS JOIN tasks t ON t.id = l.task_id`, 1) + `
		WHERE task_search MATCH ?` + strings.Replace(where, " WHERE ", " AND ", 1) + `
		ORDER BY t.created_at DESC, t.id DESC
		LIMIT ?`
	more, err := selectTasks(tx, query, append(append([]any{match}, args...), n)...)
	if err != nil {
		return nil, err
	}
	rows = append(rows, more...)
	slices.SortFunc(rows, func(x, y *taskRow) int {
		if c := cmp.Compare(y.CreatedAt, x.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(y.ID, x.ID)
	})
	return rows[:min(len(rows), n)], nil
}
