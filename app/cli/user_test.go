package cli_test

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

var keyRE = regexp.MustCompile(`^rv_[A-Za-z0-9_-]{40,}$`)

// authenticate checks key against the database file the CLI wrote, through
// the store itself, and returns the error code ("" when the key works).
func authenticate(t *testing.T, dir, key string) string {
	t.Helper()
	db := store.NewDB(filepath.Join(dir, cli.DBFile))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err := store.NewUserService(db).Authenticate(context.Background(), key)
	return domain.ErrorCode(err)
}

func TestUserCommands(t *testing.T) {
	r := newRunner(t)

	t.Run("Add", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("user", "add", "alice", "--email", "alice@example.com", "--quota", "2")
		lines := strings.Split(res.Stdout, "\n")
		if len(lines) != 4 || lines[0] != "Created user alice (id 1, quota 2)." ||
			!strings.HasPrefix(lines[1], "API key: ") ||
			lines[2] != "Store this key now: it will not be shown again." || lines[3] != "" {
			t.Fatalf("user add printed:\n%s", res.Stdout)
		}
		key := strings.TrimPrefix(lines[1], "API key: ")
		if !keyRE.MatchString(key) {
			t.Fatalf("key %q does not look like an API key", key)
		}
		if code := authenticate(t, r.dir, key); code != "" {
			t.Fatalf("the printed key does not authenticate: %s", code)
		}
	})

	t.Run("AddJSON", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("--json", "user", "add", "bob")
		out := decode[userKey](t, res)
		if out.User.Username != "bob" || out.User.Quota != domain.DefaultQuota || !out.User.IsActive {
			t.Fatalf("user=%+v", out.User)
		}
		if !keyRE.MatchString(out.APIKey) || !strings.HasPrefix(out.APIKey, out.User.KeyPrefix) {
			t.Fatalf("api_key=%q, key_prefix=%q", out.APIKey, out.User.KeyPrefix)
		}
		// The note goes to stderr so that stdout stays one JSON document.
		if got, want := res.Stderr, "Store this key now: it will not be shown again.\n"; got != want {
			t.Fatalf("stderr=%q, want %q", got, want)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitError, "error: The username alice is already taken.\n", "user", "add", "alice")
	})
	t.Run("ErrInvalidName", func(t *testing.T) {
		r := r.with(t)
		res := r.run("user", "add", "bad name")
		if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: The username must") {
			t.Fatalf("exit %d, stderr %q", res.Code, res.Stderr)
		}
	})
	t.Run("ErrBadQuotaFlag", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitUsage, "error: invalid value \"many\" for --quota: want a whole number\n"+
			"usage: reelvault user add NAME [--email E] [--quota N]\n", "user", "add", "carol", "--quota", "many")
	})
	t.Run("ErrMissingName", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitUsage, "error: missing NAME\nusage: reelvault user add NAME [--email E] [--quota N]\n", "user", "add")
	})

	t.Run("List", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("user", "list")
		lines := strings.Split(strings.TrimSpace(res.Stdout), "\n")
		if len(lines) != 3 {
			t.Fatalf("user list printed %d lines:\n%s", len(lines), res.Stdout)
		}
		if !regexp.MustCompile(`^ID +USERNAME +EMAIL +ACTIVE +QUOTA +USED +KEY +CREATED$`).MatchString(lines[0]) {
			t.Fatalf("header %q", lines[0])
		}
		if !regexp.MustCompile(`^1 +alice +alice@example\.com +yes +2 +0 +rv_\S+… +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CST$`).MatchString(lines[1]) {
			t.Fatalf("row %q", lines[1])
		}
		// Columns line up: every row's USERNAME starts where the header's does.
		col := strings.Index(lines[0], "USERNAME")
		for _, l := range lines[1:] {
			if l[col-2:col] != "  " || l[col] == ' ' {
				t.Fatalf("row %q is not aligned with header %q", l, lines[0])
			}
		}
	})
	t.Run("ListJSON", func(t *testing.T) {
		r := r.with(t)
		users := decode[[]domain.User](t, r.ok("user", "list", "--json"))
		if len(users) != 2 || users[0].Username != "alice" || users[1].Username != "bob" {
			t.Fatalf("users=%+v", users)
		}
	})
	t.Run("ListEmpty", func(t *testing.T) {
		empty := newRunner(t)
		if got, want := empty.ok("user", "list").Stdout, "No users yet. Add one with: reelvault user add NAME\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		if got, want := empty.ok("user", "list", "--json").Stdout, "[]\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
	})

	t.Run("RotateKey", func(t *testing.T) {
		r := r.with(t)
		old := r.addUser("dave")
		res := r.ok("user", "rotate-key", "dave")
		m := regexp.MustCompile(`(?m)^API key: (\S+)$`).FindStringSubmatch(res.Stdout)
		if m == nil || !strings.HasPrefix(res.Stdout, "New key for user dave (id ") ||
			!strings.HasSuffix(res.Stdout, "Store this key now: it will not be shown again.\n") {
			t.Fatalf("rotate-key printed:\n%s", res.Stdout)
		}
		if m[1] == old {
			t.Fatal("rotate-key printed the old key")
		}
		if code := authenticate(t, r.dir, old); code != domain.EUNAUTHORIZED {
			t.Fatalf("old key: code=%q, want %q", code, domain.EUNAUTHORIZED)
		}
		if code := authenticate(t, r.dir, m[1]); code != "" {
			t.Fatalf("new key: code=%q, want success", code)
		}
	})
	t.Run("RotateKeyJSON", func(t *testing.T) {
		r := r.with(t)
		res := r.ok("--json", "user", "rotate-key", "dave")
		out := decode[userKey](t, res)
		if out.User.Username != "dave" || !keyRE.MatchString(out.APIKey) || !strings.HasPrefix(out.APIKey, out.User.KeyPrefix) {
			t.Fatalf("rotate-key --json: %+v", out)
		}
		if code := authenticate(t, r.dir, out.APIKey); code != "" {
			t.Fatalf("rotated key: code=%q", code)
		}
	})
	t.Run("RotateKeyErrNotFound", func(t *testing.T) {
		r := r.with(t)
		r.fails(cli.ExitError, "error: User zed not found.\n", "user", "rotate-key", "zed")
	})

	t.Run("DeactivateActivate", func(t *testing.T) {
		r := r.with(t)
		key := r.addUser("erin")
		if got, want := r.ok("user", "deactivate", "erin").Stdout, "User erin is now inactive.\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		if u := decode[domain.User](t, r.ok("user", "deactivate", "erin", "--json")); u.IsActive || u.Username != "erin" {
			t.Fatalf("deactivate --json: %+v", u)
		}
		if code := authenticate(t, r.dir, key); code != domain.EFORBIDDEN {
			t.Fatalf("inactive user's key: code=%q, want %q", code, domain.EFORBIDDEN)
		}
		res := r.run("task", "create", "--user", "erin", "--prompt", "x")
		if res.Code != cli.ExitError || !strings.HasPrefix(res.Stderr, "error: ") || !strings.Contains(res.Stderr, "erin") {
			t.Fatalf("task create for an inactive user: exit %d, stderr %q", res.Code, res.Stderr)
		}
		u := decode[domain.User](t, r.ok("--json", "user", "activate", "erin"))
		if !u.IsActive || u.UsedQuota != 0 {
			t.Fatalf("after activate: %+v", u)
		}
		if code := authenticate(t, r.dir, key); code != "" {
			t.Fatalf("reactivated user's key: code=%q", code)
		}
		r.fails(cli.ExitError, "error: User zed not found.\n", "user", "deactivate", "zed")
	})

	t.Run("SetQuota", func(t *testing.T) {
		r := r.with(t)
		if got, want := r.ok("user", "set-quota", "bob", "7").Stdout, "User bob: quota 7, used 0.\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		u := decode[domain.User](t, r.ok("user", "set-quota", "bob", "8", "--json"))
		if u.Quota != 8 {
			t.Fatalf("quota=%d, want 8", u.Quota)
		}
	})
	t.Run("SetQuotaErrors", func(t *testing.T) {
		r := r.with(t)
		usage := "usage: reelvault user set-quota NAME N\n"
		r.fails(cli.ExitUsage, "error: invalid quota \"lots\": want a whole number\n"+usage, "user", "set-quota", "bob", "lots")
		r.fails(cli.ExitUsage, "error: missing N\n"+usage, "user", "set-quota", "bob")
		// A negative number is an argument, not a flag, and the store refuses it.
		r.fails(cli.ExitError, "error: The quota must be from 0 to 1073741824, not -5.\n", "user", "set-quota", "bob", "-5")
		r.fails(cli.ExitError, "error: User zed not found.\n", "user", "set-quota", "zed", "5")
		users := decode[[]domain.User](t, r.ok("user", "list", "--json"))
		for _, u := range users {
			if u.Username == "bob" && u.Quota != 8 {
				t.Fatalf("a refused set-quota changed the quota to %d", u.Quota)
			}
		}
	})
}
