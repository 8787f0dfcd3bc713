package crashtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestCrash_LeasedTasksReturn kills the server while workers hold leases on
// tasks. After a restart nothing is silently lost or silently cancelled: once
// the leases run out each claimed task is pending again with its attempt
// counted (and can be claimed again), and a task whose worker already
// finished it stays finished.
func TestCrash_LeasedTasksReturn(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 100)
	srv := v.serve()
	c := srv.client(key)
	var ids []string
	for i := 0; i < 4; i++ {
		var task domain.Task
		if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": fmt.Sprintf("leased %d", i)}, &task); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, task.TaskID)
	}
	claimed := map[string]bool{}
	for i := range ids {
		var task domain.Task
		if _, err := c.do("POST", "/api/v1/tasks/claim", map[string]any{"worker": fmt.Sprintf("w%d", i), "lease_seconds": 1}, &task); err != nil {
			t.Fatal(err)
		}
		claimed[task.TaskID] = true
	}
	if len(claimed) != len(ids) {
		t.Fatalf("claimed %d distinct tasks of %d", len(claimed), len(ids))
	}
	// One worker finishes before the crash.
	if _, err := c.do("POST", "/api/v1/tasks/"+ids[0]+"/complete", map[string]any{"final_video_path": v.clip("done.mp4", nil)}, nil); err != nil {
		t.Fatal(err)
	}
	srv.kill()

	srv = v.serve()
	c = srv.client(key)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var pending int
		for _, id := range ids[1:] {
			var task domain.Task
			if _, err := c.do("GET", "/api/v1/tasks/"+id, nil, &task); err != nil {
				t.Fatal(err)
			}
			switch {
			case task.Status == domain.StatusPending && task.Attempts == 1 && task.LeaseOwner == "":
				pending++
			case task.Status == domain.StatusProcessing:
			default:
				t.Fatalf("claimed task %s after the crash: %s, attempts %d, lease %q", id, task.Status, task.Attempts, task.LeaseOwner)
			}
		}
		if pending == len(ids)-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d interrupted tasks back to pending after 20 s", pending, len(ids)-1)
		}
		time.Sleep(250 * time.Millisecond)
	}
	var done domain.Task
	if _, err := c.do("GET", "/api/v1/tasks/"+ids[0], nil, &done); err != nil || done.Status != domain.StatusCompleted {
		t.Fatalf("the task finished before the crash: %v, %+v", err, done.Status)
	}
	var again domain.Task
	if _, err := c.do("POST", "/api/v1/tasks/claim", map[string]any{"worker": "after-crash"}, &again); err != nil || again.Attempts != 2 {
		t.Fatalf("claim after the crash: %v, attempts %d; want an interrupted task on its second attempt", err, again.Attempts)
	}
	srv.stop()
}
