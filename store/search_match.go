package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/reelvault/reelvault/domain"
)

// Snippet size, in characters: the context kept before the first match and
// the most a snippet shows.
const (
	snippetBefore = 40
	snippetChars  = 160
)

// searchMatches returns why each task of a search page matched: the field
// holding most of the search's terms (the prompt first, then the scenes in
// order, then the error message on a tie) as a snippet with the matching
// words marked. The index holds one text per task, so the store finds the
// field again here, for the page's tasks only.
func searchMatches(tx *tx, q searchQuery, rows []*taskRow) ([]*domain.SearchMatch, error) {
	substring := tx.db.dialect.isPostgres()
	// The page's texts share most of their words: each is stemmed once.
	stems := map[string]string{}
	type found struct {
		hits []span
		n    int
	}
	prompts := make([]found, len(rows))
	var need []*taskRow
	for i, r := range rows {
		prompts[i].hits, prompts[i].n = findHits(r.Prompt, q.terms, substring, stems)
		if prompts[i].n < len(q.terms) {
			// Only then can a scene hold more of the terms.
			need = append(need, r)
		}
	}
	scenes, err := pageScenes(tx, need)
	if err != nil {
		return nil, err
	}
	matches := make([]*domain.SearchMatch, len(rows))
	for i, r := range rows {
		best := &domain.SearchMatch{Field: domain.MatchPrompt}
		text := r.Prompt
		hits, n := prompts[i].hits, prompts[i].n
		for _, s := range scenes[r.ID] {
			if h, m := findHits(s.text, q.terms, substring, stems); m > n {
				best = &domain.SearchMatch{Field: domain.MatchScene, SceneNumber: s.number}
				text, hits, n = s.text, h, m
			}
		}
		if r.ErrorMessage != "" && n < len(q.terms) {
			if h, m := findHits(r.ErrorMessage, q.terms, substring, stems); m > n {
				best = &domain.SearchMatch{Field: domain.MatchError}
				text, hits = r.ErrorMessage, h
			}
		}
		best.Snippet = snippet(text, hits)
		matches[i] = best
	}
	return matches, nil
}

// sceneText is a scene description of a search result.
type sceneText struct {
	number int
	text   string
}

// pageScenes returns the scene descriptions of rows by task row id.
func pageScenes(tx *tx, rows []*taskRow) (map[int64][]sceneText, error) {
	scenes := make(map[int64][]sceneText, len(rows))
	if len(rows) == 0 {
		return scenes, nil
	}
	// The list is padded to a power of two with its last id (a repeat
	// changes nothing in IN): a page runs one of a few statements, each
	// prepared once, whatever the number of tasks it needs.
	n := 1
	for n < len(rows) {
		n *= 2
	}
	args := make([]any, n)
	for i := range args {
		args[i] = rows[min(i, len(rows)-1)].ID
	}
	err := tx.each(`
		SELECT
			task_id,
			scene_number,
			description
		FROM scripts
		WHERE task_id IN (?`+strings.Repeat(", ?", n-1)+`)
		ORDER BY task_id, scene_number`, args, func(rs *sql.Rows) error {
		var id int64
		var s sceneText
		if err := rs.Scan(&id, &s.number, &s.text); err != nil {
			return err
		}
		scenes[id] = append(scenes[id], s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search snippets: %w", err)
	}
	return scenes, nil
}

// span is a byte range of a text.
type span struct{ start, end int }

// findHits returns the ranges of text that match terms, in order, and how
// many of the terms occur. A word matches a word of text that starts with it
// (contains it, when substring is set, as on PostgreSQL) or has its stem; a
// CJK run matches wherever it occurs. stems caches the stems of folded
// words across calls.
func findHits(text string, terms []searchTerm, substring bool, stems map[string]string) ([]span, int) {
	var hits []span
	found := make([]bool, len(terms))
	eachWord(text, func(start, end int, word string) {
		w := foldSearch(word)
		var stem string
		hit := false
		for i, t := range terms {
			if t.cjk {
				continue
			}
			ok := strings.HasPrefix(w, t.text) || substring && strings.Contains(w, t.text)
			if !ok && len(t.stem) >= 3 && len(w) >= 3 && w[:2] == t.stem[:2] {
				if stem == "" {
					var cached bool
					if stem, cached = stems[w]; !cached {
						stem = stemOf(w)
						stems[w] = stem
					}
				}
				ok = stem == t.stem
			}
			if ok {
				found[i], hit = true, true
			}
		}
		if hit {
			hits = append(hits, span{start, end})
		}
	})
	for i, t := range terms {
		if !t.cjk {
			continue
		}
		for from := 0; ; {
			j := strings.Index(text[from:], t.text)
			if j < 0 {
				break
			}
			found[i] = true
			hits = append(hits, span{from + j, from + j + len(t.text)})
			from += j + len(t.text)
		}
	}
	n := 0
	for _, f := range found {
		if f {
			n++
		}
	}
	slices.SortFunc(hits, func(a, b span) int { return a.start - b.start })
	// Merge overlapping ranges.
	merged := hits[:0]
	for _, h := range hits {
		if k := len(merged) - 1; k >= 0 && h.start <= merged[k].end {
			merged[k].end = max(merged[k].end, h.end)
			continue
		}
		merged = append(merged, h)
	}
	return merged, n
}

// snippet cuts text to at most snippetChars characters around its first hit
// and splits it into parts, the hits marked. A cut end shows "…".
func snippet(text string, hits []span) []domain.SnippetPart {
	start := 0
	if len(hits) > 0 {
		start = hits[0].start
		for k := 0; k < snippetBefore && start > 0; k++ {
			_, size := utf8.DecodeLastRuneInString(text[:start])
			start -= size
		}
	}
	end := start
	for k := 0; k < snippetChars && end < len(text); k++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	var parts []domain.SnippetPart
	add := func(s string, hit bool) {
		if s != "" {
			parts = append(parts, domain.SnippetPart{Text: s, Hit: hit})
		}
	}
	pos := start
	for _, h := range hits {
		if h.end <= start || h.start >= end {
			continue
		}
		hs, he := max(h.start, start), min(h.end, end)
		add(text[pos:hs], false)
		add(text[hs:he], true)
		pos = he
	}
	add(text[pos:end], false)
	if len(parts) == 0 {
		parts = append(parts, domain.SnippetPart{})
	}
	if start > 0 {
		if parts[0].Hit {
			parts = append([]domain.SnippetPart{{Text: "…"}}, parts...)
		} else {
			parts[0].Text = "…" + parts[0].Text
		}
	}
	if end < len(text) {
		if k := len(parts) - 1; parts[k].Hit {
			parts = append(parts, domain.SnippetPart{Text: "…"})
		} else {
			parts[k].Text += "…"
		}
	}
	return parts
}
