package cli_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store/pgtest"
)

// TestPostgres_Library runs the library's commands on a real PostgreSQL
// database. It skips when PostgreSQL is not installed, unless
// $REELVAULT_REQUIRE_POSTGRES is set.
func TestPostgres_Library(t *testing.T) {
	for name, test := range map[string]func(*testing.T, *runner){
		"StarsTagsCollections": testLibraryStarsTagsCollections,
		"Trash":                testLibraryTrash,
		"Rerun":                testLibraryRerun,
	} {
		t.Run(name, func(t *testing.T) {
			r := newRunner(t)
			r.env[cli.EnvDB] = pgtest.NewDatabase(t)
			test(t, r)
		})
	}
}

// listIDs runs "task list --json" with args and returns the task IDs.
func (r *runner) listIDs(args ...string) []string {
	r.tb.Helper()
	p := decode[domain.TaskPage](r.tb, r.ok(append([]string{"--json", "task", "list"}, args...)...))
	ids := []string{}
	for _, t := range p.Tasks {
		ids = append(ids, t.TaskID)
	}
	return ids
}

func TestLibraryCommands_StarsTagsCollections(t *testing.T) {
	testLibraryStarsTagsCollections(t, newRunner(t))
}

func testLibraryStarsTagsCollections(t *testing.T, r *runner) {
	if got, want := r.ok("tag", "list").Stdout, "No tags yet. Tag a task with: reelvault task tag ID --add TAG\n"; got != want {
		t.Fatalf("tag list with no tags: stdout=%q, want %q", got, want)
	}
	r.addUser("alice")
	a := r.createTask("alice", "a night forest")
	b := r.createTask("alice", "a day forest")
	short := a[:8] // ID prefixes work like whole IDs

	if got, want := r.ok("task", "star", short).Stdout, fmt.Sprintf("Task %s: starred, rating -, tags -\n", a); got != want {
		t.Fatalf("star: stdout=%q, want %q", got, want)
	}
	if got, want := r.ok("task", "rate", short, "4").Stdout, fmt.Sprintf("Task %s: starred, rating 4/5, tags -\n", a); got != want {
		t.Fatalf("rate: stdout=%q, want %q", got, want)
	}
	got := decode[domain.Task](t, r.ok("--json", "task", "tag", short, "--add", "夜景", "--add", "night", "--remove", "never-there"))
	slices.Sort(got.Tags)
	if want := []string{"night", "夜景"}; !got.Starred || got.Rating != 4 || !slices.Equal(got.Tags, want) {
		t.Fatalf("tag --json: %+v, want starred, 4, %q", got, want)
	}
	r.ok("task", "tag", b, "--add", "night")

	if got, want := r.ok("collection", "create", "Trailer v2").Stdout, "Created collection \"Trailer v2\" (0 tasks).\n"; got != want {
		t.Fatalf("collection create: stdout=%q, want %q", got, want)
	}
	if got, want := r.ok("collection", "add", "Trailer v2", short, b).Stdout, "Added 2 tasks to \"Trailer v2\".\n"; got != want {
		t.Fatalf("collection add: stdout=%q, want %q", got, want)
	}
	if n := decode[struct{ Changed int }](t, r.ok("--json", "collection", "remove", "Trailer v2", b)); n.Changed != 1 {
		t.Fatalf("collection remove --json: %+v", n)
	}
	list := decode[struct{ Collections []domain.Collection }](t, r.ok("--json", "collection", "list"))
	if len(list.Collections) != 1 || list.Collections[0].Name != "Trailer v2" || list.Collections[0].Count != 1 {
		t.Fatalf("collection list --json: %+v", list)
	}
	if out := r.ok("collection", "list").Stdout; !strings.HasPrefix(out, "NAME") || !strings.Contains(out, "Trailer v2  1 ") {
		t.Fatalf("collection list:\n%s", out)
	}
	tags := decode[struct{ Tags []domain.TagCount }](t, r.ok("--json", "tag", "list"))
	if len(tags.Tags) != 2 || tags.Tags[0] != (domain.TagCount{Tag: "night", Count: 2}) {
		t.Fatalf("tag list --json: %+v", tags)
	}
	if out := r.ok("tag", "list").Stdout; !strings.HasPrefix(out, "TAG") || !strings.Contains(out, "night  2") || !strings.Contains(out, "夜景") {
		t.Fatalf("tag list:\n%s", out)
	}

	// The filters, together and with the existing ones.
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--starred"}, []string{a}},
		{[]string{"--rating", "4"}, []string{a}},
		{[]string{"--tag", "night"}, []string{b, a}},
		{[]string{"--tag", "night", "--tag", "夜景"}, []string{a}},
		{[]string{"--collection", "Trailer v2"}, []string{a}},
		{[]string{"--starred", "--rating", "4", "--tag", "夜景", "--collection", "Trailer v2", "--status", "pending", "--user", "alice", "--search", "forest"}, []string{a}},
		{[]string{"--tag", "night", "--status", "failed"}, []string{}},
	} {
		if got := r.listIDs(c.args...); !slices.Equal(got, c.want) {
			t.Errorf("task list %q = %q, want %q", c.args, got, c.want)
		}
	}

	show := r.ok("task", "show", a).Stdout
	for _, want := range []string{"Starred:      yes", "Rating:       4/5", "Collections:  Trailer v2", "Rerun of:     -"} {
		if !strings.Contains(show, want+"\n") {
			t.Errorf("task show lacks %q:\n%s", want, show)
		}
	}

	r.ok("collection", "cover", "Trailer v2", short)
	c := decode[domain.Collection](t, r.ok("--json", "collection", "rename", "Trailer v2", "Final"))
	if c.Name != "Final" || c.CoverTaskID != a {
		t.Fatalf("collection rename --json: %+v", c)
	}
	r.ok("collection", "cover", "Final")
	r.ok("collection", "delete", "Final")
	if got := r.showTask(a); len(got.Collections) != 0 {
		t.Fatalf("task still in a deleted collection: %q", got.Collections)
	}
	r.ok("task", "unstar", a)
	if got := decode[domain.Task](t, r.ok("--json", "task", "rate", a, "0")); got.Starred || got.Rating != 0 {
		t.Fatalf("after unstar and rate 0: %+v", got)
	}
}

func TestLibraryCommands_Trash(t *testing.T) { testLibraryTrash(t, newRunner(t)) }

func testLibraryTrash(t *testing.T, r *runner) {
	r.addUser("alice")
	a := r.createTask("alice", "first")
	b := r.createTask("alice", "second")
	c := r.createTask("alice", "third")

	if got, want := r.ok("task", "delete", a[:8], b).Stdout, "Moved 2 tasks to the trash. Undo with: reelvault trash restore ID…\n"; got != want {
		t.Fatalf("task delete: stdout=%q, want %q", got, want)
	}
	if got := r.listIDs(); !slices.Equal(got, []string{c}) {
		t.Fatalf("history after delete=%q, want only %s", got, c)
	}
	out := r.ok("trash", "list").Stdout
	if !strings.HasPrefix(out, "TASK_ID") || !strings.Contains(out, a) || !strings.Contains(out, b) || strings.Contains(out, c) {
		t.Fatalf("trash list:\n%s", out)
	}
	if got := r.showTask(a); got.TrashedAt == nil {
		t.Fatalf("a trashed task shows no trashed_at: %+v", got)
	}
	if !strings.Contains(r.ok("task", "show", a).Stdout, "Trashed:") {
		t.Fatal("task show of a trashed task does not say so")
	}

	if got, want := r.ok("trash", "restore", a).Stdout, "Restored 1 task from the trash.\n"; got != want {
		t.Fatalf("trash restore: stdout=%q, want %q", got, want)
	}
	res := decode[domain.TrashResult](t, r.ok("--json", "task", "delete", c, "--files"))
	if res.Changed != 1 {
		t.Fatalf("task delete --files --json: %+v", res)
	}
	// The text output says what became of the video files when asked to
	// move them too (c has none).
	r.ok("trash", "restore", c)
	if got, want := r.ok("task", "delete", c, "--files").Stdout, "Moved 1 task to the trash; moved 0 video files to the system trash. Undo with: reelvault trash restore ID…\n"; got != want {
		t.Fatalf("task delete --files: stdout=%q, want %q", got, want)
	}
	page := decode[domain.TaskPage](t, r.ok("--json", "trash", "list"))
	if len(page.Tasks) != 2 {
		t.Fatalf("trash list --json: %d tasks, want 2", len(page.Tasks))
	}
	if got, want := r.ok("trash", "retention").Stdout, "Trashed tasks are purged after 30 days.\n"; got != want {
		t.Fatalf("trash retention: stdout=%q, want %q", got, want)
	}
	if got := decode[struct {
		Days int `json:"trash_retention_days"`
	}](t, r.ok("--json", "trash", "retention", "7")); got.Days != 7 {
		t.Fatalf("trash retention 7 --json: %+v", got)
	}
	if res := r.run("trash", "retention", "0"); res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: ") {
		t.Fatalf("trash retention 0: exit %d, stderr %q", res.Code, res.Stderr)
	}
	if got, want := r.ok("trash", "empty").Stdout, "Deleted 2 tasks from the trash for good.\n"; got != want {
		t.Fatalf("trash empty: stdout=%q, want %q", got, want)
	}
	if got, want := r.ok("trash", "list").Stdout, "The trash is empty.\n"; got != want {
		t.Fatalf("trash list: stdout=%q, want %q", got, want)
	}
	if got := r.listIDs(); !slices.Equal(got, []string{a}) {
		t.Fatalf("history after emptying the trash=%q, want %s", got, a)
	}
	if res := r.run("task", "show", b); res.Code != cli.ExitError {
		t.Fatalf("task show of a purged task: exit %d", res.Code)
	}
}

func TestLibraryCommands_Rerun(t *testing.T) { testLibraryRerun(t, newRunner(t)) }

func testLibraryRerun(t *testing.T, r *runner) {
	r.addUser("alice")
	origin := r.createTask("alice", "a fox at dusk", "--scenes", "2")
	r.ok("task", "start", origin)
	r.ok("task", "fail", origin, "--error", "CUDA out of memory")

	take := strings.TrimSpace(r.ok("task", "rerun", origin[:8]).Stdout)
	if !uuidRE.MatchString(take) || len(take) != 36 || take == origin {
		t.Fatalf("task rerun printed %q, want a new task_id", take)
	}
	got := r.showTask(take)
	if got.RerunOf != origin || got.Prompt != "a fox at dusk" || got.Status != domain.StatusPending || got.TotalScenes != 2 {
		t.Fatalf("rerun: %+v", got)
	}
	if !strings.Contains(r.ok("task", "show", take).Stdout, "Rerun of:     "+origin+"\n") {
		t.Fatal("task show does not name the origin")
	}
	r.ok("task", "cancel", take)
	edited := decode[domain.Task](t, r.ok("--json", "task", "rerun", origin, "--prompt", "a fox at dawn"))
	if edited.Prompt != "a fox at dawn" || edited.RerunOf != origin {
		t.Fatalf("rerun --prompt: %+v", edited)
	}
	takes := decode[struct{ Tasks []domain.Task }](t, r.ok("--json", "task", "takes", edited.TaskID))
	var ids []string
	for _, t := range takes.Tasks {
		ids = append(ids, t.TaskID)
	}
	if want := []string{origin, take, edited.TaskID}; !slices.Equal(ids, want) {
		t.Fatalf("takes=%q, want %q", ids, want)
	}
	if out := r.ok("task", "takes", take).Stdout; !strings.HasPrefix(out, "TAKE") || !strings.Contains(out, "2 *") {
		t.Fatalf("task takes:\n%s", out)
	}
	// A pending task cannot be run again.
	if res := r.run("task", "rerun", edited.TaskID); res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: ") {
		t.Fatalf("rerun of a pending task: exit %d, stderr %q", res.Code, res.Stderr)
	}
}

// Bad input is refused naming the flag or argument, and changes nothing.
func TestLibraryCommands_Invalid(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	a := r.createTask("alice", "a task")

	for _, c := range []struct {
		code   int
		prefix string
		args   []string
	}{
		{cli.ExitError, "error: Rating 9 is not between", []string{"task", "rate", a, "9"}},
		{cli.ExitError, "error: The rating must be a whole number", []string{"task", "rate", a, "x"}},
		{cli.ExitUsage, "error: missing N\n", []string{"task", "rate", a}},
		{cli.ExitUsage, "error: give --add TAG or --remove TAG\n", []string{"task", "tag", a}},
		{cli.ExitError, "error: Tag \"a,b\" contains a comma", []string{"task", "tag", a, "--add", "a,b"}},
		{cli.ExitUsage, "error: missing ID\n", []string{"task", "delete"}},
		{cli.ExitUsage, "error: missing ID\n", []string{"trash", "restore"}},
		{cli.ExitUsage, "error: missing ID\n", []string{"collection", "add", "x"}},
		{cli.ExitUsage, "error: missing NAME\n", []string{"collection", "create"}},
		{cli.ExitUsage, "error: unexpected argument", []string{"trash", "empty", "now"}},
		{cli.ExitUsage, "error: unexpected argument", []string{"trash", "retention", "3", "4"}},
		{cli.ExitUsage, "error: missing NAME\n", []string{"collection", "cover"}},
		{cli.ExitUsage, "error: unexpected argument", []string{"collection", "cover", "x", a, a}},
		{cli.ExitUsage, "error: unknown flag --frob\n", []string{"collection", "cover", "x", "--frob"}},
		{cli.ExitError, "error: --rating: ", []string{"task", "list", "--rating", "7"}},
		{cli.ExitError, "error: --tag: ", []string{"task", "list", "--tag", " "}},
		{cli.ExitError, "error: --collection: ", []string{"task", "list", "--collection", " "}},
		{cli.ExitError, "error: ", []string{"collection", "create", " "}},
		{cli.ExitError, "error: ", []string{"task", "star", "00000000-0000-0000-0000-000000000000"}},
		{cli.ExitError, "error: ", []string{"task", "delete", a, "nope-nope"}},
		{cli.ExitError, "error: ", []string{"collection", "add", "nobody", a}},
	} {
		res := r.run(c.args...)
		if res.Code != c.code || !strings.HasPrefix(res.Stderr, c.prefix) || res.Stdout != "" {
			t.Errorf("reelvault %s: exit %d, stderr %q, stdout %q; want exit %d, stderr starting %q",
				strings.Join(c.args, " "), res.Code, res.Stderr, res.Stdout, c.code, c.prefix)
		}
	}
	// With --json the error names the field.
	res := r.run("--json", "task", "rate", a, "9")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, `"code":"invalid"`) || !strings.Contains(res.Stderr, `"field":"rating"`) {
		t.Fatalf("task rate --json of 9: exit %d, stderr %q", res.Code, res.Stderr)
	}
	got := r.showTask(a)
	if got.Starred || got.Rating != 0 || len(got.Tags) != 0 || got.TrashedAt != nil {
		t.Fatalf("refused commands changed the task: %+v", got)
	}
}

func TestLibraryCommands_Bulk(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.addUser("bob")
	a := r.createTask("alice", "a forest at night")
	b := r.createTask("alice", "a forest by day")
	c := r.createTask("bob", "a desert")

	if got, want := r.ok("task", "bulk", "tag", "夜景", a[:8], b).Stdout, "tag: 2 tasks matched, 2 changed.\n"; got != want {
		t.Fatalf("task bulk tag: stdout=%q, want %q", got, want)
	}
	res := decode[domain.BulkResult](t, r.ok("--json", "task", "bulk", "star", "--search", "forest", "--user", "alice"))
	if res.Matched != 2 || res.Changed != 2 {
		t.Fatalf("task bulk star by filter --json: %+v", res)
	}
	r.ok("collection", "create", "Trailer v2")
	r.ok("task", "bulk", "collect", "Trailer v2", "--tag", "夜景")
	r.ok("task", "bulk", "rate", "5", a, c)
	if got := r.listIDs("--collection", "Trailer v2", "--starred"); !slices.Equal(got, []string{b, a}) {
		t.Fatalf("after bulk: collection and starred=%q, want %q", got, []string{b, a})
	}
	if got := r.listIDs("--rating", "5"); !slices.Equal(got, []string{c, a}) {
		t.Fatalf("after bulk rate: %q", got)
	}
	r.ok("task", "bulk", "trash", "--user", "bob")
	if got := r.listIDs(); !slices.Equal(got, []string{b, a}) {
		t.Fatalf("after bulk trash: %q", got)
	}

	for _, c := range []struct {
		code   int
		prefix string
		args   []string
	}{
		{cli.ExitUsage, "error: missing ACTION\n", []string{"task", "bulk"}},
		{cli.ExitUsage, "error: unknown action \"explode\"", []string{"task", "bulk", "explode", a}},
		{cli.ExitUsage, "error: missing TAG\n", []string{"task", "bulk", "tag"}},
		{cli.ExitUsage, "error: give task IDs, or filter flags", []string{"task", "bulk", "star"}},
		{cli.ExitUsage, "error: give task IDs or filter flags, not both\n", []string{"task", "bulk", "star", a, "--starred"}},
		{cli.ExitError, "error: Rating 9 is not between", []string{"task", "bulk", "rate", "9", a}},
		{cli.ExitError, "error: Tag \"a,b\" contains a comma", []string{"task", "bulk", "tag", "a,b", a}},
	} {
		res := r.run(c.args...)
		if res.Code != c.code || !strings.HasPrefix(res.Stderr, c.prefix) || res.Stdout != "" {
			t.Errorf("reelvault %s: exit %d, stderr %q; want exit %d, stderr starting %q",
				strings.Join(c.args, " "), res.Code, res.Stderr, c.code, c.prefix)
		}
	}
}

// export --task writes a selection.
func TestLibraryCommands_ExportSelection(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	a := r.createTask("alice", "one")
	r.createTask("alice", "two")
	c := r.createTask("alice", "three")
	var doc struct {
		Tasks []struct {
			TaskID string `json:"task_id"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(r.ok("export", "--task", a[:8], "--task", c).Stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, t := range doc.Tasks {
		got = append(got, t.TaskID)
	}
	slices.Sort(got)
	want := []string{a, c}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("export --task: %q, want %q", got, want)
	}
}
