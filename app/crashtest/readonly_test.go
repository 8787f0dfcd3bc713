package crashtest_test

import (
	"os/exec"
	"strings"
	"testing"
)

// bindReadOnly makes dir read-only for the rest of the test (or until the
// returned function is called) with a read-only bind mount over itself: root
// ignores permission bits, but not a read-only mount. It skips the test where
// mounting is not allowed.
func bindReadOnly(t *testing.T, dir string) (undo func()) {
	t.Helper()
	if out, err := exec.Command("mount", "--bind", dir, dir).CombinedOutput(); err != nil {
		t.Skipf("cannot bind-mount here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	mounted := true
	undo = func() {
		if !mounted {
			return
		}
		mounted = false
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	}
	t.Cleanup(undo)
	if out, err := exec.Command("mount", "-o", "remount,bind,ro", dir).CombinedOutput(); err != nil {
		undo()
		t.Skipf("cannot remount read-only here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	return undo
}

// TestFault_DataDirReadOnly: the whole data folder is on a read-only mount.
// Read commands work (the database opens read-only, immutable); write
// commands fail saying the data folder is read-only and naming it, not
// "attempt to write a readonly database"; a database that needs migrating is
// refused clearly rather than read with the wrong schema.
func TestFault_DataDirReadOnly(t *testing.T) {
	v := newVault(t)
	v.addUser("alice", 10)
	id := strings.TrimSpace(v.ok("task", "create", "--user", "alice", "--prompt", "a fox on a hill"))
	v.ok("maintain", "checkpoint")
	before := fileSHA256(t, v.dbPath())

	undo := bindReadOnly(t, v.dir)
	for _, args := range [][]string{
		{"task", "list"},
		{"task", "show", id},
		{"status"},
		{"stats"},
		{"user", "list"},
	} {
		res := v.run(args...)
		if res.Code != 0 {
			t.Fatalf("reelvault %s on a read-only data folder: exit %d\n%s%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
		}
		if args[0] == "task" && !strings.Contains(res.Stdout, "a fox on a hill") {
			t.Fatalf("reelvault %s on a read-only data folder does not show the task:\n%s", strings.Join(args, " "), res.Stdout)
		}
	}
	for _, args := range [][]string{
		{"task", "create", "--user", "alice", "--prompt", "another fox"},
		{"task", "start", id},
		{"user", "add", "bob"},
	} {
		res := v.assertFails([]string{"the data folder " + v.dir + " is read-only"}, args...)
		if strings.Contains(res.Stderr, "attempt to write") {
			t.Fatalf("reelvault %s: %q still speaks of SQLite's readonly database", strings.Join(args, " "), res.Stderr)
		}
	}
	undo()
	if after := fileSHA256(t, v.dbPath()); after != before {
		t.Fatal("the database changed on a read-only mount")
	}

	// One migration short: the read-only folder cannot be migrated.
	db := v.openDB()
	if _, err := db.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	bindReadOnly(t, v.dir)
	v.assertFails([]string{"read-only", "needs upgrading"}, "task", "list")
}
