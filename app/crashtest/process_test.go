package crashtest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// TestProcess_OneServerPerDataDir: two processes on one data dir. A second
// `serve` is refused, naming the first (pid and address), and exits
// non-zero without touching the first one's owner-token file; the command
// line keeps working beside the server. A restore through the server is
// refused (409, naming the process) while another process has the database
// open, and a restore or undo from the command line is refused while the
// server runs. No acknowledged write vanishes.
func TestProcess_OneServerPerDataDir(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 100)
	var b domain.Backup
	v.okJSON(&b, "backup")
	srv := v.serve()
	c := srv.client(key)
	var acked []string
	write := func(prompt string) {
		t.Helper()
		var task domain.Task
		if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": prompt}, &task); err != nil {
			t.Fatalf("write %q: %v", prompt, err)
		}
		acked = append(acked, task.TaskID)
	}
	write("before the second server")
	tokenPath := filepath.Join(v.dir, "owner-token")
	token, err := os.ReadFile(tokenPath)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("SecondServeRefused", func(t *testing.T) {
		res := v.run("serve", "--addr", fmt.Sprintf("127.0.0.1:%d", freePort(t)))
		if res.Code == 0 {
			t.Fatalf("second serve exited 0:\n%s%s", res.Stdout, res.Stderr)
		}
		pid := strconv.Itoa(srv.cmd.Process.Pid)
		for _, want := range []string{"already served", "process " + pid, srv.base} {
			if !strings.Contains(res.Stderr, want) {
				t.Fatalf("second serve's error %q does not say %q", res.Stderr, want)
			}
		}
		if now, err := os.ReadFile(tokenPath); err != nil || string(now) != string(token) {
			t.Fatalf("the first server's owner-token file after the second serve: %q, %v; want it untouched", now, err)
		}
	})

	t.Run("CLIWorksBeside", func(t *testing.T) {
		v.ok("task", "list")
		v.ok("status")
		write("after the second server")
	})

	t.Run("HTTPRestoreRefusedWithAnotherOpener", func(t *testing.T) {
		// This test process opens the store: another opener of the file.
		db := store.NewDB(v.dbPath())
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		owner := srv.owner()
		_, err := owner.do("POST", "/api/v1/backups/"+b.Name+"/restore", nil, nil)
		if code := errCode(err); code != domain.ECONFLICT || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
			t.Fatalf("restore through the server with another opener: %v; want 409 naming pid %d", err, os.Getpid())
		}
		write("after the refused HTTP restore")
	})

	t.Run("CLIRestoreRefusedWhileServing", func(t *testing.T) {
		v.assertFails([]string{"running"}, "restore", b.Name, "--yes")
		v.assertFails([]string{"running"}, "restore", "--undo", "--yes")
		write("after the refused CLI restore")
	})

	srv.stop()
	for _, id := range acked {
		var got domain.Task
		v.okJSON(&got, "task", "show", id)
	}
	v.integrityCheck()
	if _, err := os.Stat(tokenPath); !os.IsNotExist(err) {
		t.Fatalf("owner-token after the server stopped: %v; want it removed by its own server", err)
	}
}

// TestProcess_RestoreWithOpenerRefused: a restore from the command line
// (no server running) is refused while another process has the database
// open, names that process, and leaves the data as it was.
func TestProcess_RestoreWithOpenerRefused(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "restore")
	v.addUser("alice", 10)
	var b domain.Backup
	v.okJSON(&b, "backup")
	v.ok("task", "create", "--user", "alice", "--prompt", "after the backup")
	db := store.NewDB(v.dbPath())
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	v.assertFails([]string{"another running process", "pid " + strconv.Itoa(os.Getpid())}, "restore", b.Name, "--yes")
	db.Close()
	n, _ := v.digest()
	if n != 1 {
		t.Fatalf("tasks after the refused restore: %d, want 1", n)
	}
	v.ok("restore", b.Name, "--yes")
	if n, _ := v.digest(); n != 0 {
		t.Fatalf("tasks after the restore: %d, want 0", n)
	}
}
