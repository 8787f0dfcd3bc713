package cli_test

import (
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestTaskList_SearchErrors searches failed tasks by their error messages:
// the table's MATCH column names the field and marks the words; --json
// carries the same match.
func TestTaskList_SearchErrors(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	oom := r.createTask("alice", "A night train through the mountains")
	r.ok("task", "start", oom)
	r.ok("task", "fail", oom, "--error", "CUDA error: out of memory")
	zh := r.createTask("alice", "制作森林探险视频")
	r.ok("task", "fail", zh, "--error", "显存不足")
	r.createTask("alice", "An expedition to the glacier")

	out := r.ok("task", "list", "--search", "out of memory").Stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "MATCH") || !strings.HasPrefix(lines[1], oom) ||
		!strings.HasSuffix(lines[1], "error: CUDA error: «out» «of» «memory»") {
		t.Fatalf("task list --search 'out of memory':\n%s", out)
	}
	if out := r.ok("task", "list", "--search", "expeditions").Stdout; !strings.Contains(out, "prompt: An «expedition» to the glacier") {
		t.Fatalf("task list --search expeditions:\n%s", out)
	}
	p := decode[domain.TaskPage](t, r.ok("task", "list", "--search", "显存", "--json"))
	if len(p.Tasks) != 1 || p.Tasks[0].TaskID != zh || p.Tasks[0].Match == nil || p.Tasks[0].Match.Field != domain.MatchError ||
		p.Tasks[0].Match.Snippet[0] != (domain.SnippetPart{Text: "显存", Hit: true}) {
		t.Fatalf("task list --search 显存 --json: %+v", p.Tasks)
	}
	if out := r.ok("task", "list").Stdout; !strings.Contains(out, "PROMPT") || strings.Contains(out, "«") {
		t.Fatalf("task list without a search shows matches:\n%s", out)
	}
}
