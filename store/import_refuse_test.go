package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// importFixture returns testdata/import.json decoded into a generic map.
func importFixture(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "import.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// importDoc imports doc (encoding/json writes map keys sorted).
func importDoc(e *env, doc any) (*domain.ImportResult, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return store.NewExportService(e.DB).Import(e.Owner, bytes.NewReader(b))
}

// importSnapshot is everything an import could change.
func importSnapshot(t *testing.T, e *env) string {
	t.Helper()
	var buf bytes.Buffer
	if err := store.NewExportService(e.DB).Export(e.Owner, &buf, domain.ExportFilter{}); err != nil {
		t.Fatal(err)
	}
	users, err := e.Users.FindUsers(e.Owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		b, _ := json.Marshal(u)
		buf.Write(b)
	}
	return buf.String()
}

// TestExportService_ImportRefusals proves each ambiguous file is refused
// with EINVALID naming the record, and leaves the database untouched.
func TestExportService_ImportRefusals(t *testing.T) {
	for _, tt := range []struct {
		name    string
		setup   func(t *testing.T, e *env)
		edit    func(doc map[string]any)
		field   string
		mention []string
	}{
		{
			name: "TaskIDTwice",
			edit: func(doc map[string]any) {
				tasks := doc["tasks"].([]any)
				doc["tasks"] = append(tasks, tasks[0])
			},
			field:   "tasks[4].task_id",
			mention: []string{"Task 4", "3f6c1d2e-0000-4000-8000-000000000001", "task 1"},
		},
		{
			name: "SameNameOtherEmail",
			setup: func(t *testing.T, e *env) {
				if _, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "alice", Email: "alice@elsewhere.org"}); err != nil {
					t.Fatal(err)
				}
			},
			field:   "users[0].email",
			mention: []string{"alice@example.com", "alice@elsewhere.org", "alice"},
		},
		{
			name: "SameNameOtherCase",
			setup: func(t *testing.T, e *env) {
				if _, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "ALICE", Email: "alice@example.com"}); err != nil {
					t.Fatal(err)
				}
			},
			field:   "users[0].username",
			mention: []string{"ALICE", "letter case"},
		},
		{
			name: "EmailOfAnotherUser",
			setup: func(t *testing.T, e *env) {
				if _, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "carol", Email: "alice@example.com"}); err != nil {
					t.Fatal(err)
				}
			},
			field:   "users[0].email",
			mention: []string{"alice@example.com", "carol"},
		},
		{
			name: "NoVersion",
			edit: func(doc map[string]any) {
				delete(doc, "version")
			},
			field:   "version",
			mention: []string{"no \"version\""},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(t, e)
			}
			before := importSnapshot(t, e)
			doc := importFixture(t)
			if tt.edit != nil {
				tt.edit(doc)
			}
			_, err := importDoc(e, doc)
			AssertCode(t, err, domain.EINVALID, tt.field)
			for _, m := range tt.mention {
				if !strings.Contains(domain.ErrorMessage(err), m) {
					t.Errorf("message %q does not mention %q", domain.ErrorMessage(err), m)
				}
			}
			if after := importSnapshot(t, e); after != before {
				t.Fatalf("a refused import changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestExportService_ImportSortedKeys proves a valid export re-serialised with
// sorted keys (users and version after tasks) imports like the original.
func TestExportService_ImportSortedKeys(t *testing.T) {
	e := newEnv(t)
	res, err := importDoc(e, importFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	if *res != (domain.ImportResult{Users: 2, Tasks: 3}) {
		t.Fatalf("import=%+v, want 2 users and 3 tasks", *res)
	}
}

// TestExportService_ImportChargesQuota proves imported tasks charge their
// user's quota, so used_quota stays the number of tasks created here, and a
// second import of the same file charges nothing.
func TestExportService_ImportChargesQuota(t *testing.T) {
	e := newEnv(t)
	if _, _, err := e.Users.CreateUser(e.Owner, domain.UserCreate{Username: "alice", Email: "alice@example.com"}); err != nil {
		t.Fatal(err)
	}
	u, err := e.Users.FindUserByName(e.Owner, "alice")
	if err != nil {
		t.Fatal(err)
	}
	e.MustCreateTask(t, domain.WithUser(context.Background(), u.ID), domain.TaskCreate{Prompt: "local"})
	check := func(name string, want int) {
		t.Helper()
		u, err := e.Users.FindUserByName(e.Owner, name)
		if err != nil {
			t.Fatal(err)
		}
		if u.UsedQuota != want {
			t.Fatalf("%s used_quota=%d, want %d", name, u.UsedQuota, want)
		}
	}
	for range 2 {
		if _, err := importDoc(e, importFixture(t)); err != nil {
			t.Fatal(err)
		}
		check("alice", 3) // one created here, two imported
		check("bob", 1)   // created by the import with its one task
	}
}
