package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/app/server"
)

// A second serve on a data folder whose serve lock is held exits with an
// error naming the holder (pid and address) before it opens the store or
// touches the holder's owner-token file.
func TestServe_SecondServeRefused(t *testing.T) {
	r := newRunner(t)
	lock := filepath.Join(r.dir, cli.ServeLockFile)
	holder := `{"pid":4242,"mode":"serve","addr":"http://127.0.0.1:7788","started":"2026-12-06T01:00:00Z"}` + "\n"
	if err := os.WriteFile(lock, []byte(holder), 0o600); err != nil {
		t.Fatal(err)
	}
	token := filepath.Join(r.dir, server.TokenFile)
	if err := os.WriteFile(token, []byte("the first server's token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(lock)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}

	res := r.run("serve", "--addr", "127.0.0.1:0")
	if res.Code != cli.ExitError {
		t.Fatalf("exit %d, want %d\n%s", res.Code, cli.ExitError, res.Stderr)
	}
	for _, want := range []string{"already served by process 4242", "http://127.0.0.1:7788", r.dir} {
		if !strings.Contains(res.Stderr, want) {
			t.Fatalf("stderr %q does not say %q", res.Stderr, want)
		}
	}
	if b, err := os.ReadFile(token); err != nil || string(b) != "the first server's token\n" {
		t.Fatalf("owner-token after the refused serve: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(r.dir, cli.DBFile)); !os.IsNotExist(err) {
		t.Fatalf("the refused serve opened the store: %v", err)
	}

	// Other commands work beside the holder.
	if res := r.run("task", "list"); res.Code != 0 {
		t.Fatalf("task list beside a server: exit %d %s", res.Code, res.Stderr)
	}
}
