package crashtest_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"

	"github.com/reelvault/reelvault/domain"
)

// The workload: every task walks the same lifecycle, one HTTP request per
// step, so that after a crash the test knows exactly which states a task may
// be in: the last acknowledged one, or the one the request in flight would
// have produced.
//
//	create → start → scripts → progress 40 → video → progress 80 → complete|fail|cancel
//
// A tenth of the tasks are cancelled while still pending instead.
const (
	stepCreate = iota
	stepStart
	stepScripts
	stepProgress40
	stepVideo
	stepProgress80
	stepFinish
	stepDone
)

// Finishes a task may be given.
const (
	finishComplete      = "complete"
	finishFail          = "fail"
	finishCancel        = "cancel"
	finishCancelPending = "cancel-pending" // cancelled right after create
)

// state is what the test knows of a task: the effect of the steps done.
type state struct {
	Step     int
	Status   domain.Status
	Progress int
	Scripts  int // scene scripts
	Videos   int // scene videos (the final video is not counted)
}

// after returns the state once step next has been applied to s.
func (s state) after(finish string) state {
	switch s.Step {
	case stepCreate:
		s.Status = domain.StatusPending
		if finish == finishCancelPending {
			s.Step = stepFinish
			return s
		}
	case stepStart:
		s.Status = domain.StatusProcessing
	case stepScripts:
		s.Scripts = 2
	case stepProgress40:
		s.Progress = 40
	case stepVideo:
		s.Videos = 1
	case stepProgress80:
		s.Progress = 80
	case stepFinish:
		switch finish {
		case finishComplete:
			s.Status, s.Progress = domain.StatusCompleted, 100
		case finishFail:
			s.Status = domain.StatusFailed
		default:
			s.Status = domain.StatusCancelled
		}
		s.Step = stepDone
		return s
	}
	s.Step++
	return s
}

// taskRec is the ledger entry of one task.
type taskRec struct {
	ID     string
	User   int // index into the workload's users
	Worker int // the one worker that advances it, so no two race on a task
	Finish string
	Acked  state  // the state after the last acknowledged step
	Flight *state // the state the unacknowledged request would produce, if one was lost
}

// ledger records every acknowledged write of the crash workload.
type ledger struct {
	mu    sync.Mutex
	tasks map[string]*taskRec
	// lostCreates counts, per user, create requests whose response was lost:
	// each may or may not have created a task.
	lostCreates []int
	acked       int // acknowledged requests in total
	failures    []string
}

func newLedger(users int) *ledger {
	return &ledger{tasks: map[string]*taskRec{}, lostCreates: make([]int, users)}
}

func (l *ledger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf(format, args...))
	}
}

// pick returns the worker's next task to advance, or nil to create one.
func (l *ledger) pick(rng *rand.Rand, mine []*taskRec) *taskRec {
	var open []*taskRec
	for _, r := range mine {
		if r.Acked.Step != stepDone && r.Flight == nil {
			open = append(open, r)
		}
	}
	if len(open) == 0 || (len(open) < 3 && rng.IntN(4) == 0) {
		return nil
	}
	return open[rng.IntN(len(open))]
}

// workload drives the lifecycle over HTTP until the server goes away.
type workload struct {
	l     *ledger
	users []string // API keys
	clip  string   // a video file path
}

// randomFinish chooses how a new task will end.
func randomFinish(rng *rand.Rand) string {
	switch n := rng.IntN(10); {
	case n == 0:
		return finishCancelPending
	case n <= 5:
		return finishComplete
	case n <= 7:
		return finishFail
	default:
		return finishCancel
	}
}

// worker runs one client until a request's response is lost (the server was
// killed) and returns. Tasks are advanced in random interleavings.
func (w *workload) worker(c *client, id, user int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var mine []*taskRec
	w.l.mu.Lock()
	for _, r := range w.l.tasks {
		if r.Worker == id {
			mine = append(mine, r)
		}
	}
	w.l.mu.Unlock()
	for {
		r := w.l.pick(rng, mine)
		if r == nil {
			rec, ok := w.create(c, id, user, rng)
			if !ok {
				return
			}
			mine = append(mine, rec)
			continue
		}
		if !w.advance(c, r) {
			return
		}
	}
}

// create sends a create request; ok is false once the server is gone.
func (w *workload) create(c *client, worker, user int, rng *rand.Rand) (*taskRec, bool) {
	var t domain.Task
	_, err := c.do("POST", "/api/v1/tasks", map[string]any{
		"prompt":       fmt.Sprintf("crash test %d: a fox crosses a river at dawn", rng.Uint32()),
		"total_scenes": 2,
	}, &t)
	switch errCode(err) {
	case "":
	case "transport":
		w.l.mu.Lock()
		w.l.lostCreates[user]++
		w.l.mu.Unlock()
		return nil, false
	default:
		w.l.fail("create: %v", err)
		return nil, false
	}
	rec := &taskRec{ID: t.TaskID, User: user, Worker: worker, Finish: randomFinish(rng)}
	rec.Acked = state{}.after(rec.Finish)
	if t.Status != domain.StatusPending {
		w.l.fail("create %s: status %q in the response", t.TaskID, t.Status)
	}
	w.l.mu.Lock()
	w.l.tasks[rec.ID] = rec
	w.l.acked++
	w.l.mu.Unlock()
	return rec, true
}

// advance sends the task's next step; it returns false once the server is gone.
func (w *workload) advance(c *client, r *taskRec) bool {
	next := r.Acked.after(r.Finish)
	w.l.mu.Lock()
	r.Flight = &next
	w.l.mu.Unlock()

	path := "/api/v1/tasks/" + r.ID
	var (
		method = "POST"
		body   any
	)
	switch r.Acked.Step {
	case stepStart:
		path += "/start"
	case stepScripts:
		method, path = "PUT", path+"/scripts"
		body = map[string]any{"scripts": []map[string]any{
			{"scene_number": 1, "description": "a fox at the riverbank", "duration": 3},
			{"scene_number": 2, "description": "the fox swims across", "duration": 4},
		}}
	case stepProgress40:
		path += "/progress"
		body = map[string]any{"progress": 40, "completed_scenes": 1}
	case stepVideo:
		path += "/videos"
		body = map[string]any{"scene_number": 1, "file_path": w.clip, "duration": 3}
	case stepProgress80:
		path += "/progress"
		body = map[string]any{"progress": 80, "completed_scenes": 2}
	case stepFinish:
		switch r.Finish {
		case finishComplete:
			path += "/complete"
			body = map[string]any{"final_video_path": w.clip}
		case finishFail:
			path += "/fail"
			body = map[string]any{"message": "the generator ran out of memory"}
		default:
			path += "/cancel"
		}
	default:
		panic(fmt.Sprintf("advance: step %d", r.Acked.Step))
	}
	st, err := c.do(method, path, body, nil)
	switch errCode(err) {
	case "":
		if st != http.StatusOK && st != http.StatusCreated {
			w.l.fail("%s %s: status %d", method, path, st)
		}
		w.l.mu.Lock()
		r.Acked, r.Flight = next, nil
		w.l.acked++
		w.l.mu.Unlock()
		return true
	case "transport":
		return false // r.Flight stays: its outcome is unknown
	default:
		w.l.fail("%s %s: %v", method, path, err)
		w.l.mu.Lock()
		r.Flight = nil
		w.l.mu.Unlock()
		return false
	}
}
