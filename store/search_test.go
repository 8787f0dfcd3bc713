package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// snippetText returns a snippet with its hits in brackets.
func snippetText(m *domain.SearchMatch) string {
	var b strings.Builder
	for _, p := range m.Snippet {
		if p.Hit {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// TestTaskService_SearchErrors checks that failed tasks are found by the
// words of their error messages, English and Chinese, and say so.
func TestTaskService_SearchErrors(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 100)
	fail := func(prompt, message string) *domain.Task {
		t.Helper()
		task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: prompt, TotalScenes: 1})
		if _, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "Wide shot of a harbor"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Tasks.FailTask(uctx, task.TaskID, message); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(time.Second)
		return task
	}
	oom := fail("A red fox in the snow", "CUDA error: out of memory while decoding scene 2")
	zh := fail("制作森林探险视频", "显存不足：CUDA 内核启动失败")
	other := fail("Neon city at night", "The worker lost its connection.")
	ok := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "A memory of CUDA-free days"}) // prompt, not error

	for _, tt := range []struct {
		search string
		want   []string
		field  string
		hit    string
	}{
		{"CUDA", []string{ok.TaskID, zh.TaskID, oom.TaskID}, "", "CUDA"},
		{"out of memory", []string{oom.TaskID}, domain.MatchError, "[out] [of] [memory]"},
		{"显存", []string{zh.TaskID}, domain.MatchError, "[显存]不足"},
		{"connection", []string{other.TaskID}, domain.MatchError, "[connection]"},
		{"harbor", []string{other.TaskID, zh.TaskID, oom.TaskID}, domain.MatchScene, "[harbor]"},
	} {
		t.Run(tt.search, func(t *testing.T) {
			page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: tt.search})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, task := range page.Tasks {
				got = append(got, task.TaskID)
				if task.Match == nil {
					t.Fatalf("task %s has no match", task.TaskID)
				}
				if tt.field != "" && task.Match.Field != tt.field {
					t.Fatalf("task %s matched in %q, want %q", task.TaskID, task.Match.Field, tt.field)
				}
				if s := snippetText(task.Match); !strings.Contains(s, tt.hit) {
					t.Fatalf("task %s snippet %q does not mark %q", task.TaskID, s, tt.hit)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("search %q found %v, want %v", tt.search, got, tt.want)
			}
		})
	}
	t.Run("Fields", func(t *testing.T) {
		page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: "CUDA"})
		if err != nil {
			t.Fatal(err)
		}
		fields := map[string]string{}
		for _, task := range page.Tasks {
			fields[task.TaskID] = task.Match.Field
		}
		if fields[ok.TaskID] != domain.MatchPrompt || fields[oom.TaskID] != domain.MatchError || fields[zh.TaskID] != domain.MatchError {
			t.Fatalf("fields=%v", fields)
		}
		if got := page.Tasks[2].Match.Snippet[0]; !got.Hit || got.Text != "CUDA" {
			t.Fatalf("first part of the error snippet = %+v, want the hit CUDA", got)
		}
	})
	t.Run("Counts", func(t *testing.T) {
		counts, err := e.Tasks.CountTasksByStatus(uctx, domain.TaskFilter{Search: "CUDA"})
		if err != nil {
			t.Fatal(err)
		}
		if counts[domain.StatusFailed] != 2 || counts[domain.StatusPending] != 1 {
			t.Fatalf("counts=%v, want 2 failed and 1 pending", counts)
		}
	})
	t.Run("NoMatchOutsideSearch", func(t *testing.T) {
		page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, task := range page.Tasks {
			if task.Match != nil {
				t.Fatalf("a plain listing set a match on %s", task.TaskID)
			}
		}
	})
}

// TestTaskService_SearchWordForms checks that English word forms find each
// other both ways and that prefixes and Chinese substrings still work.
func TestTaskService_SearchWordForms(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 100)
	exp := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "A jungle expedition at dawn"})
	e.Clock.Advance(time.Second)
	happy := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "Pure happiness: children running on the beach"})
	e.Clock.Advance(time.Second)
	zh := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "制作森林探险视频"})
	for _, tt := range []struct {
		search, want, hit string
	}{
		{"expeditions", exp.TaskID, "[expedition]"},
		{"Expedition", exp.TaskID, "[expedition]"},
		{"expedit", exp.TaskID, "[expedition]"},
		{"happy", happy.TaskID, "[happiness]"},
		{"runs", happy.TaskID, "[running]"},
		{"child", happy.TaskID, "[children]"},
		{"林探", zh.TaskID, "森[林探]险"},
		{"探险 视频", zh.TaskID, "森林[探险视频]"},
	} {
		t.Run(tt.search, func(t *testing.T) {
			page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: tt.search})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Tasks) != 1 || page.Tasks[0].TaskID != tt.want {
				t.Fatalf("search %q found %d tasks, want %s only", tt.search, len(page.Tasks), tt.want)
			}
			m := page.Tasks[0].Match
			if m.Field != domain.MatchPrompt || !strings.Contains(snippetText(m), tt.hit) {
				t.Fatalf("search %q: match %s %q, want the prompt with %q", tt.search, m.Field, snippetText(m), tt.hit)
			}
		})
	}
}

// TestTaskService_SearchSnippet checks a snippet of a long text: cut around
// the first hit, ends marked, scene number named.
func TestTaskService_SearchSnippet(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 100)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "A short film", TotalScenes: 2})
	long := strings.Repeat("slow pan across the valley ", 20) + "then the lighthouse appears " + strings.Repeat("and the fog lifts ", 20)
	if _, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{
		{SceneNumber: 1, Description: "Opening titles"},
		{SceneNumber: 2, Description: long},
	}); err != nil {
		t.Fatal(err)
	}
	page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: "lighthouse"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 {
		t.Fatalf("found %d tasks, want 1", len(page.Tasks))
	}
	m := page.Tasks[0].Match
	s := snippetText(m)
	if m.Field != domain.MatchScene || m.SceneNumber != 2 {
		t.Fatalf("match in %s %d, want scene 2", m.Field, m.SceneNumber)
	}
	if !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || !strings.Contains(s, "[lighthouse]") || len([]rune(s)) > 170 {
		t.Fatalf("snippet %q: want a cut around [lighthouse] with … at both ends", s)
	}
}

// TestTaskService_SearchLeaseGivenUp checks that a task failed by lease
// expiry is found by the words of its error message.
func TestTaskService_SearchLeaseGivenUp(t *testing.T) {
	e := newEnv(t)
	_, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "A slow render"})
	if _, err := e.Tasks.ClaimTask(e.Owner, domain.ClaimRequest{Worker: "w1", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Minute)
	if n, err := e.Tasks.ExpireLeases(e.Owner, 1); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want 1", n, err)
	}
	page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: "lease expired"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Tasks) != 1 || page.Tasks[0].TaskID != task.TaskID || page.Tasks[0].Match.Field != domain.MatchError {
		t.Fatalf("search found %d tasks, want the given-up task matched in its error", len(page.Tasks))
	}
}
