package store_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reelvault/reelvault/domain"
)

// FuzzTaskService_FindTasks_Search sends arbitrary search text through the
// full-text search. The text must never reach FTS5 as query syntax: the
// only refusal allowed is EINVALID for text with nothing to search or too
// long, never an internal error (an FTS5 syntax error would be one), and a
// word that appears in a prompt must find that task.
func FuzzTaskService_FindTasks_Search(f *testing.F) {
	e := newEnv(f)
	_, _, alice := e.MustCreateUser(f, "alice", 1000)
	prompts := []string{
		"制作森林探险视频",
		"a fox crosses the river at dawn",
		`quotes " and 'apostrophes' and * stars (parens) NEAR/3 OR AND NOT ^caret`,
		"ünïcödé ΑΒΓ русский текст 日本語のテキスト 한국어",
	}
	for _, p := range prompts {
		e.MustCreateTask(f, alice, domain.TaskCreate{Prompt: p})
	}
	for _, s := range []string{
		"fox", "森林", "探险视频", "fox OR river", `"fox"`, "fox*", "NEAR(fox river)", "fox AND NOT river",
		`"`, `""`, "*", "^", "(", ")", "-", "+", ":", "body:fox", "{body}: fox", "fox'; DROP TABLE tasks; --",
		"' OR 1=1 --", "%", "_", `\`, "\x00", "\xff\xfe", strings.Repeat("a", 1001), "ü", "日本語", " ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		page, err := e.Tasks.FindTasks(alice, domain.TaskFilter{Search: q, Limit: 10})
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EINVALID || domain.ErrorField(err) != "search" {
				t.Fatalf("search %q: code %q field %q, want %q on \"search\": %v", q, code, domain.ErrorField(err), domain.EINVALID, err)
			}
			return
		}
		// Every plain ASCII word of a prompt, searched alone, finds its task.
		if utf8.ValidString(q) && isASCIIWord(q) {
			want := 0
			for _, p := range prompts {
				for _, w := range strings.Fields(strings.ToLower(p)) {
					if strings.HasPrefix(w, strings.ToLower(q)) {
						want++
						break
					}
				}
			}
			if len(page.Tasks) < want {
				t.Fatalf("search %q found %d tasks, want at least %d", q, len(page.Tasks), want)
			}
		}
	})
}

// isASCIIWord reports whether s is one or more ASCII letters or digits.
func isASCIIWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
