package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// crashChildEnv names the database a child process of TestDB_KillDurability
// writes to until it is killed.
const crashChildEnv = "REELVAULT_CRASH_CHILD_DB"

// crashWritersEnv is how many goroutines of the child write at once.
const crashWritersEnv = "REELVAULT_CRASH_CHILD_WRITERS"

// TestDB_KillDurability kills a process that is creating tasks with
// SIGKILL and checks that every task it had acknowledged is in the database
// afterwards, and that the file is intact: with one writer, and with eight
// concurrent writers whose writes share group commits.
func TestDB_KillDurability(t *testing.T) {
	if path := os.Getenv(crashChildEnv); path != "" {
		writers, _ := strconv.Atoi(os.Getenv(crashWritersEnv))
		crashChild(path, max(1, writers))
		return
	}
	sqliteOnly(t)
	for _, writers := range []int{1, 8} {
		t.Run(fmt.Sprintf("Writers%d", writers), func(t *testing.T) {
			killDurability(t, writers)
		})
	}
}

// killDurability runs one kill -9 round with writers concurrent writers.
func killDurability(t *testing.T, writers int) {
	path := filepath.Join(t.TempDir(), "reelvault.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestDB_KillDurability$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path, fmt.Sprintf("%s=%d", crashWritersEnv, writers))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	want := 60 * writers
	for len(acked) < want && lines.Scan() {
		acked = append(acked, lines.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < want {
		t.Fatalf("child acknowledged only %d tasks before it stopped", len(acked))
	}

	db := store.NewDB(path)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	owner := domain.WithOwner(context.Background())
	tasks := store.NewTaskService(db)
	for _, id := range acked {
		if _, err := tasks.FindTaskByID(owner, id); err != nil {
			t.Fatalf("acknowledged task %s lost: %v", id, err)
		}
	}
	var check string
	if err := db.Read(context.Background(), func(r *sqlx.DB) error {
		return r.Get(&check, "PRAGMA integrity_check")
	}); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Fatalf("integrity_check: %s", check)
	}
}

// crashChild creates tasks forever from writers goroutines, printing each
// task ID once CreateTask has returned (acknowledged).
func crashChild(path string, writers int) {
	ctx := domain.WithOwner(context.Background())
	db := store.NewDB(path)
	if err := db.Open(context.Background()); err != nil {
		panic(err)
	}
	quota := 1 << 30
	if _, _, err := store.NewUserService(db).CreateUser(ctx, domain.UserCreate{Username: "writer", Quota: &quota}); err != nil {
		panic(err)
	}
	tasks := store.NewTaskService(db)
	var mu sync.Mutex
	for w := 0; w < writers; w++ {
		go func() {
			for i := 0; ; i++ {
				task, err := tasks.CreateTask(ctx, domain.TaskCreate{Username: "writer", Prompt: fmt.Sprint("durable ", w, " ", i)})
				if err != nil {
					panic(err)
				}
				mu.Lock()
				fmt.Println(task.TaskID)
				mu.Unlock()
			}
		}()
	}
	select {}
}
