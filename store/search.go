package store

import (
	"cmp"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/reelvault/reelvault/domain"
	"modernc.org/sqlite"
)

// MaxSearchChars limits the length of a search text.
const MaxSearchChars = 1000

// The full-text index uses FTS5's unicode61 tokenizer, which splits words at
// spaces and punctuation. Chinese and Japanese are written without spaces,
// so a whole sentence would be one token and a two-character word inside it
// could never match (the trigram tokenizer needs three characters). The
// store therefore writes every CJK character as a token of its own and
// searches a CJK run as a phrase of consecutive characters: 森林 finds
// 制作森林探险视频. Other scripts stay words.
//
// A word is searched by prefix (fore finds forest) and by word form
// (expeditions finds expedition: both have the Snowball English stem
// "expedit"). FTS5 answers a prefix query by reading every posting of every
// term with that prefix before it returns the first row, which for a common
// word in a million tasks costs tens of milliseconds. The SQLite store
// therefore keeps the index's vocabulary in task_search_terms and turns each
// word into an OR of the few exact terms it stands for; FTS5 walks exact
// terms in rowid order and stops after a page, whatever their frequency.
// PostgreSQL matches words as substrings of the folded text or through the
// english text-search configuration (migrations/postgres/00008).

// maxWordTerms is how many exact terms a word may stand for before the
// search falls back to an FTS5 prefix query (a very short prefix).
const maxWordTerms = 24

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

// SearchBody returns the text the full-text index holds for a task with the
// given prompt and scene descriptions (and, for a failed task, its error
// message last). Code that inserts tasks without the TaskService (a bulk
// import) writes it to task_search with rowid = tasks.id, and the words of
// the text (SearchTerms) to task_search_terms.
func SearchBody(prompt string, descriptions ...string) string {
	return searchBody(append([]string{prompt}, descriptions...)...)
}

// SearchTerms returns the distinct words of text as the full-text index
// holds them (lower-case, diacritics removed), CJK characters left out: the
// rows task_search_terms needs for text.
func SearchTerms(text string) []string {
	var terms []string
	seen := make(map[string]bool)
	eachWord(text, func(_, _ int, word string) {
		w := foldSearch(word)
		if !seen[w] {
			seen[w] = true
			terms = append(terms, w)
		}
	})
	return terms
}

// eachWord calls fn with the byte range and text of every word of text
// (CJK characters are not words: they are matched as runs).
func eachWord(text string, fn func(start, end int, word string)) {
	start := -1
	for i := 0; i < len(text); {
		var word bool
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			// ASCII, most text: no Unicode tables.
			word = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			word = isWordRune(r) && !isCJK(r)
		}
		if word {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			fn(start, i, text[start:i])
			start = -1
		}
		i += size
	}
	if start >= 0 {
		fn(start, len(text), text[start:])
	}
}

// stemOf returns the Snowball English stem of a folded word, or the word
// itself when it is not plain ASCII letters.
func stemOf(word string) string {
	for i := 0; i < len(word); i++ {
		if c := word[i]; c < 'a' || c > 'z' {
			return word
		}
	}
	return english.Stem(word, false)
}

// searchTerm is one term of a search: a word, or a run of CJK characters.
type searchTerm struct {
	text string // folded: lower-case, without diacritics
	cjk  bool
	stem string // of a word
}

// searchQuery is a parsed search text.
type searchQuery struct {
	terms []searchTerm
	// fts is the FTS5 query (SQLite). parseSearch sets the plain prefix
	// form; expand replaces it with exact terms from the vocabulary.
	fts string
}

// active reports whether q searches anything.
func (q searchQuery) active() bool { return len(q.terms) > 0 }

// parseSearch splits user text into words and CJK runs. The user's text is
// never parsed as FTS syntax: each term is quoted and holds letters and
// digits only. It returns EINVALID when the text has nothing to search for.
func parseSearch(text string) (searchQuery, error) {
	if !utf8.ValidString(text) {
		return searchQuery{}, domain.Invalidf("search", "The search text is not valid UTF-8.")
	}
	if utf8.RuneCountInString(text) > MaxSearchChars {
		return searchQuery{}, domain.Invalidf("search", "The search text is longer than %d characters.", MaxSearchChars)
	}
	var q searchQuery
	var word, cjk []rune
	flush := func() {
		if len(word) > 0 {
			w := foldSearch(string(word))
			if w != "" {
				q.terms = append(q.terms, searchTerm{text: w, stem: stemOf(w)})
			}
			word = word[:0]
		}
		if len(cjk) > 0 {
			q.terms = append(q.terms, searchTerm{text: string(cjk), cjk: true})
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
	if len(q.terms) == 0 {
		return q, domain.Invalidf("search", "The search text must contain letters or digits.")
	}
	parts := make([]string, len(q.terms))
	for i, t := range q.terms {
		if t.cjk {
			parts[i] = ftsString(strings.TrimSpace(searchBody(t.text)))
		} else {
			parts[i] = ftsString(t.text) + "*"
		}
	}
	q.fts = strings.Join(parts, " AND ")
	return q, nil
}

// ftsString quotes s as an FTS5 string.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// expand rewrites q.fts with every word replaced by the exact terms of the
// index it stands for: the terms it is a prefix of, and the terms with its
// stem. A word that stands for more than maxWordTerms terms keeps its prefix
// query.
func (q *searchQuery) expand(tx *tx) error {
	parts := make([]string, len(q.terms))
	for i, t := range q.terms {
		if t.cjk {
			parts[i] = ftsString(strings.TrimSpace(searchBody(t.text)))
			continue
		}
		var prefixed []string
		if err := tx.sel(&prefixed, `
			SELECT term
			FROM task_search_terms
			WHERE term >= ? AND term < ?
			ORDER BY term
			LIMIT `+limitParam, t.text, t.text+string(utf8.MaxRune), maxWordTerms+1); err != nil {
			return fmt.Errorf("search terms: %w", err)
		}
		var alts []string
		if len(prefixed) > maxWordTerms || len(prefixed) == 0 {
			// Too many terms, or none: the prefix query is the
			// cheaper one (with no posting it reads nothing).
			alts = append(alts, ftsString(t.text)+"*")
			prefixed = nil
		}
		for _, term := range prefixed {
			alts = append(alts, ftsString(term))
		}
		forms, err := wordForms(tx, t)
		if err != nil {
			return err
		}
		for _, term := range forms {
			// Forms that start with the word are among its prefixed
			// terms or under its prefix query already.
			if !strings.HasPrefix(term, t.text) {
				alts = append(alts, ftsString(term))
			}
		}
		if len(alts) == 1 {
			parts[i] = alts[0]
		} else {
			parts[i] = "(" + strings.Join(alts, " OR ") + ")"
		}
	}
	q.fts = strings.Join(parts, " AND ")
	return nil
}

// wordForms returns the terms of the index with t's stem. A stem is a
// prefix of its word but for a final y turned i (happy → happi), so the
// candidates are the terms starting with the stem less a final i.
func wordForms(tx *tx, t searchTerm) ([]string, error) {
	base := strings.TrimSuffix(t.stem, "i")
	if len(base) < 3 || t.stem == "" {
		return nil, nil
	}
	var candidates []string
	if err := tx.sel(&candidates, `
		SELECT term
		FROM task_search_terms
		WHERE term >= ? AND term < ?
		ORDER BY term
		LIMIT 200`, base, base+string(utf8.MaxRune)); err != nil {
		return nil, fmt.Errorf("search terms: %w", err)
	}
	var forms []string
	for _, c := range candidates {
		if c != t.text && stemOf(c) == t.stem {
			forms = append(forms, c)
		}
	}
	return forms, nil
}

// indexTask replaces the full-text entry of task id (whose public ID is
// taskID): its prompt, scene descriptions and error message.
func indexTask(tx *tx, id int64, taskID, prompt string, scenes []string, errText string) error {
	if tx.deferSearch {
		if err := tx.deferSearchOp(searchOp{id: id, del: true}); err != nil {
			return err
		}
		return addSearchEntry(tx, id, taskID, prompt, scenes, errText)
	}
	if _, err := tx.exec(`DELETE FROM task_search WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("index task: %w", err)
	}
	return addSearchEntry(tx, id, taskID, prompt, scenes, errText)
}

// addSearchEntry writes the full-text entry of a task that has none. On
// SQLite it also records the entry's words in task_search_terms (see
// expand).
func addSearchEntry(tx *tx, id int64, taskID, prompt string, scenes []string, errText string) error {
	parts := append([]string{prompt}, scenes...)
	if errText != "" {
		parts = append(parts, errText)
	}
	body := tx.db.dialect.searchText(parts...)
	if tx.deferSearch {
		if err := tx.deferSearchOp(searchOp{id: id, taskID: taskID, body: body}); err != nil {
			return err
		}
	} else if _, err := tx.exec(`INSERT INTO task_search (rowid, body) VALUES (?, ?)`, id, body); err != nil {
		return fmt.Errorf("index task: %w", err)
	}
	return indexTerms(tx, parts...)
}

// indexTerms records the words of parts in task_search_terms (SQLite).
func indexTerms(tx *tx, parts ...string) error {
	if tx.db.dialect.isPostgres() {
		return nil
	}
	terms := SearchTerms(strings.Join(parts, "\n"))
	if len(terms) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, t := range terms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(t))
	}
	b.WriteByte(']')
	if _, err := tx.exec(`INSERT OR IGNORE INTO task_search_terms (term) SELECT value FROM json_each(?)`, b.String()); err != nil {
		return fmt.Errorf("index terms: %w", err)
	}
	return nil
}

// jsonString returns s as a JSON string.
func jsonString(s string) []byte { return appendJSONString(nil, s) }

// reindexTask rewrites the full-text entry of r from its stored prompt,
// scripts and error message (after the error message changed).
func reindexTask(tx *tx, r *taskRow) error {
	var scenes []string
	if err := tx.sel(&scenes, `SELECT description FROM scripts WHERE task_id = ? ORDER BY scene_number`, r.ID); err != nil {
		return fmt.Errorf("index task: %w", err)
	}
	return indexTask(tx, r.ID, r.TaskID, r.Prompt, scenes, r.ErrorMessage)
}

func init() {
	// reelvault_search_text(text) is searchText for SQLite, so that a
	// migration can rebuild index entries in SQL (see 00008).
	sqlite.MustRegisterDeterministicScalarFunction("reelvault_search_text", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			s, _ := args[0].(string)
			return searchBody(s), nil
		})
}

// searchFrom is the FROM clause of a search on SQLite. CROSS JOIN keeps
// task_search the outer loop (SQLite never reorders it), so that the walk
// in rowid order stops after a page even when a user or status filter would
// tempt the planner to start from a tasks index and sort.
const searchFrom = `
FROM task_search s
CROSS JOIN tasks t ON t.id = s.rowid
JOIN users u ON u.id = t.user_id`

// searchLateFrom is searchFrom for the tasks in task_search_late only.
const searchLateFrom = `
FROM task_search s
CROSS JOIN task_search_late l ON l.task_id = s.rowid
CROSS JOIN tasks t ON t.id = l.task_id
JOIN users u ON u.id = t.user_id`

// andConds returns conds as further conditions of a WHERE clause.
func andConds(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return "\n\t\t\tAND " + strings.Join(conds, "\n\t\t\tAND ")
}

// searchSQL returns the query that walks the matches of q newest id first,
// skipping the tasks listed in task_search_late. A library label is probed
// per match: a list of a common tag's tasks, built for every page, cost
// 30–50 ms at 1M tasks (BenchmarkLibrary_SearchFilteredPage).
func (q taskQuery) searchSQL(a domain.Actor) (string, []any) {
	return q.searchListSQL(a, -1)
}

// searchListSQL is searchSQL testing each match against one list of the
// entries of label list (an index into q.labels(); -1: none) that pass q's
// filters, built once for the page, instead of probing it (see
// searchDriver). Below a cursor the walk starts at the cursor's rowid: a
// task not listed in task_search_late with a greater id is newer than any
// task with a smaller one (see migrations/00003_search_order.sql).
func (q taskQuery) searchListSQL(a domain.Actor, list int) (string, []any) {
	args := []any{q.search.fts}
	var head string
	if q.after != nil {
		head = "\n\t\t\tAND s.rowid < ?"
		args = append(args, q.after.id)
	}
	if list >= 0 {
		// The unary plus keeps SQLite from handing the list to FTS5 as
		// rowids to look up one by one (the label walk's cost).
		entries, entryArgs := q.entriesAhead(list)
		head += "\n\t\t\tAND +s.rowid IN (" + entries + ")"
		args = append(args, entryArgs...)
		q = q.without(list)
	}
	q.search = searchQuery{}
	q.probeLabels = true
	conds, more := q.conds(a)
	return `SELECT` + taskSelectList + searchFrom + `
		WHERE task_search MATCH ?` + head + `
			AND s.rowid NOT IN (SELECT task_id FROM task_search_late)` + andConds(conds) + `
		ORDER BY s.rowid DESC
		LIMIT ` + limitParam, append(append(args, more...), q.limit+1)
}

// entriesAhead returns the query of the task IDs of label i's entries (an
// index into q.labels()) that lie ahead of q's position and pass its
// status, star, rating and trash filters (on the entries' copies).
func (q taskQuery) entriesAhead(i int) (string, []any) {
	l := q.labels()[i]
	rng, rngArgs := q.labelRange("l")
	filt, filtArgs := q.labelFilters("l")
	return "SELECT l.task_id FROM " + l.table() + " l WHERE l." + l.idColumn() + " = " + l.idOf() + rng + filt,
		append(append([]any{l.key}, rngArgs...), filtArgs...)
}

// without returns q without its label i (an index into q.labels()).
func (q taskQuery) without(i int) taskQuery {
	l := q.labels()[i]
	if l.coll {
		q.collKey = ""
		return q
	}
	q.tagKeys = slices.DeleteFunc(slices.Clone(q.tagKeys), func(k string) bool { return k == l.key })
	return q
}

// searchLateSQL returns the query of the matches of q among the tasks
// listed in task_search_late, newest first.
func (q taskQuery) searchLateSQL(a domain.Actor) (string, []any) {
	match := q.search.fts
	q.search = searchQuery{}
	q.probeLabels = true
	conds, args := q.conds(a)
	return `SELECT` + taskSelectList + searchLateFrom + `
		WHERE task_search MATCH ?` + andConds(conds) + `
		ORDER BY t.created_at DESC, t.id DESC
		LIMIT ` + limitParam, append(append([]any{match}, args...), q.limit+1)
}

// searchLabelSample is the number of matches and of label entries ahead
// of a search page's position that searchDriver samples to tell how
// densely each lies.
const searchLabelSample = 32

// The costs of the three walks of a search page with library labels, in
// microseconds, measured at 1M tasks on the Zipf history of
// BenchmarkLibrary_SearchFilteredPage:
const (
	// costMatch is a match of the match walk: the full-text step, the
	// task row and the labels' primary keys (1.1–1.7 µs).
	costMatch = 1.5
	// costProbe is a label entry of the label walk: a full-text lookup of
	// the entry's rowid, which opens every term in every segment
	// (30–160 µs; 96 keeps the choice between the label and the matches
	// where measurements put it: a label 64 times sparser walks).
	costProbe = 96
	// costListEntry is an entry of the list walk's list (an in-memory
	// index and a Bloom filter), costListMatch a match it tests against
	// the list, which touches neither the task nor the label tables.
	costListEntry = 0.7
	costListMatch = 0.15
)

// searchWalk is how a search page with library labels walks: the matches
// (label < 0), a label's entries, or the matches against a list of a
// label's entries.
type searchWalk struct {
	label int
	list  bool
}

// searchDriver returns the walk of a search page of q with library labels
// on SQLite (searchSQL, labelSearchSQL or searchListSQL), whichever it
// expects to cost least. The expected costs follow from how densely the
// matches and each label's entries lie ahead of the page's position, read
// from where the searchLabelSample-th of each lies (searchDriverSQL):
// assuming they fall independently, a page of p tasks takes a span of
// p/(d_match·Πd_label) tasks, whose matches the match walk reads
// (costMatch each), whose entries of the sparsest label the label walk
// probes (costProbe each), and whose matches the list walk tests against a
// list of all that label's entries ahead (costListMatch and costListEntry
// each). The entries ahead are counted, up to the number that would cost
// more than the cheaper of the other walks, only when the list may win.
// A label with fewer than a sample of entries left walks them; a search
// with fewer than a sample of matches left walks those.
//
// BenchmarkLibrary_SearchFilteredPage (1M tasks): the tag on 1 task in 997
// with the 100th word, 1 task in 26, cost 60 ms walking either the
// matches or the tag, 6.5 ms as a list; the tag on 1 task in 7 with the
// 10th word 1.4 ms walking the matches, where a list would cost 100 ms to
// build.
func (q taskQuery) searchDriver(tx *tx) (searchWalk, error) {
	walk := searchWalk{label: -1}
	query, args := q.searchDriverSQL()
	n := 2 + len(q.labels())
	at := make([]sql.NullInt64, n)
	found := false
	err := tx.each(query, args, func(rows *sql.Rows) error {
		dest := make([]any, n)
		for i := range at {
			dest[i] = &at[i]
		}
		found = true
		return rows.Scan(dest...)
	})
	if err != nil || !found {
		return walk, err
	}
	top, match, labels := at[0], at[1], at[2:]
	if !top.Valid || !match.Valid {
		return walk, nil // few matches left: walk them
	}
	density := func(v sql.NullInt64) float64 {
		return searchLabelSample / float64(max(1, top.Int64-v.Int64+1))
	}
	dMatch := density(match)
	hits := dMatch
	sparse, dSparse := 0, 2.0
	for i, v := range labels {
		if !v.Valid {
			return searchWalk{label: i}, nil // few entries left: walk them
		}
		d := density(v)
		hits *= d
		if d < dSparse {
			sparse, dSparse = i, d
		}
	}
	span := min(float64(top.Int64), float64(q.limit+1)/hits)
	matchCost, labelCost := span*dMatch*costMatch, span*dSparse*costProbe
	best := min(matchCost, labelCost)
	if labelCost < matchCost {
		walk.label = sparse
	}
	if listed := span * dMatch * costListMatch; listed < best {
		// The list pays off if the label has fewer entries ahead than the
		// rest of the cheaper walk's cost would build.
		limit := int64(min(1e6, (best-listed)/costListEntry))
		query, args := q.entriesAhead(sparse)
		var entries int64
		if err := tx.get(&entries, `SELECT count(*) FROM (`+query+` LIMIT `+limitParam+`)`, append(args, limit)...); err != nil {
			return walk, err
		}
		if entries < limit {
			return searchWalk{label: sparse, list: true}, nil
		}
	}
	return walk, nil
}

// searchDriverSQL returns the query of searchDriver: q's position (the
// cursor's task ID, else the newest task's), the rowid of the search's
// searchLabelSample-th match from there, then the task ID of each label's,
// NULL where fewer are left.
func (q taskQuery) searchDriverSQL() (string, []any) {
	top, bound, args := "(SELECT max(id) FROM tasks)", "", []any{q.search.fts}
	if q.after != nil {
		top, bound = "?", " AND s.rowid < ?"
		args = []any{q.after.id, q.search.fts, q.after.id}
	}
	cols, more := q.driverSQL("task_id", searchLabelSample)
	return `SELECT ` + top + `, (SELECT s.rowid FROM task_search s
			WHERE task_search MATCH ?` + bound + `
			ORDER BY s.rowid DESC
			LIMIT 1 OFFSET ` + strconv.Itoa(searchLabelSample-1) + `),
	` + cols, append(args, more...)
}

// labelSearchSQL returns the query of a search page of q that walks the
// label q.drive (see labelWalkSQL), testing each entry against the
// full-text index by rowid.
func (q taskQuery) labelSearchSQL(a domain.Actor) (string, []any) {
	return q.labelWalkSQL(a, "\nCROSS JOIN task_search s ON s.rowid = l.task_id", " AND task_search MATCH ?", q.search.fts)
}

// searchTasks is findTasks for a full-text query: one page of the matching
// tasks, newest first, plus one row to tell whether more follow.
func searchTasks(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, error) {
	if tx.db.dialect.isPostgres() {
		return searchTasksPostgres(tx, a, q)
	}
	return searchTasksSQLite(tx, a, q)
}

// searchTasksSQLite is searchTasks on SQLite.
//
// Sorting every match by created_at would cost a row lookup per match (tens
// of milliseconds for a common word in a million tasks). Instead FTS5 walks
// its matches newest id first and the walk stops after a page: for every task
// not listed in task_search_late, id order is created_at order (see
// migrations/00003_search_order.sql). The listed ones, usually none, are
// searched apart and merged in.
func searchTasksSQLite(tx *tx, a domain.Actor, q taskQuery) ([]*taskRow, error) {
	if err := q.search.expand(tx); err != nil {
		return nil, err
	}
	list := -1
	if len(q.labels()) > 0 {
		walk, err := q.searchDriver(tx)
		if err != nil {
			return nil, err
		}
		switch {
		case walk.list:
			list = walk.label
		case walk.label >= 0:
			// In the label's (created_at, id) order: the late entries
			// need no second walk.
			q.drive = walk.label
			query, args := q.labelSearchSQL(a)
			return selectTasks(tx, query, args...)
		}
	}
	n := q.limit + 1
	query, args := q.searchListSQL(a, list)
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
	query, args = q.searchLateSQL(a)
	more, err := selectTasks(tx, query, args...)
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
