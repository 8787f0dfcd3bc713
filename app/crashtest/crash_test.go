package crashtest_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// envInt reads a positive integer from the environment, def when unset.
func envInt(t testing.TB, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("$%s=%q: want a positive integer", name, v)
	}
	return n
}

// DefaultCrashRounds is how many kill -9 rounds make test runs;
// $REELVAULT_CRASH_ROUNDS overrides it (make soak runs many more).
const DefaultCrashRounds = 24

// TestCrash_KillDuringWrites drives concurrent task lifecycles over HTTP
// against "reelvault serve", kills the process with SIGKILL at a random
// moment, and checks the file and a restarted server: every acknowledged
// write is present, a write whose response was lost is wholly there or
// wholly absent, each task's event log agrees with its state, quotas agree
// with tasks, the statistics equal a rebuild, integrity_check passes, and
// every listed backup (the schedule takes one each second) is sound.
func TestCrash_KillDuringWrites(t *testing.T) {
	rounds := envInt(t, "REELVAULT_CRASH_ROUNDS", DefaultCrashRounds)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("REELVAULT_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("$REELVAULT_CRASH_SEED=%q: %v", s, err)
		}
		seed = n
	}
	t.Logf("seed %d (rerun with REELVAULT_CRASH_SEED=%d), %d rounds", seed, seed, rounds)
	rng := rand.New(rand.NewPCG(seed, 1))

	v := newVault(t)
	requireCommand(t, v, "serve")
	usernames := []string{"alice", "bob"}
	keys := make([]string, len(usernames))
	for i, name := range usernames {
		keys[i] = v.addUser(name, 1_000_000)
	}
	// The schedule backs up and checkpoints every second while the writes
	// run, so some kills land in a backup or a checkpoint.
	v.ok("schedule", "--backup", "@every 1s", "--keep", "3", "--checkpoint", "@every 1s")
	clip := v.clip("clip.mp4", make([]byte, 4096))

	// Eight concurrent writers: the server commits their writes in shared
	// batches (group commit), and every acknowledged one must survive.
	workers := envInt(t, "REELVAULT_CRASH_WORKERS", 8)
	l := newLedger(len(usernames))
	w := &workload{l: l, users: keys, clip: clip}
	var dirty map[string]state
	var checked, lostTotal int
	for round := 0; round < rounds; round++ {
		srv := v.serve()
		clients := make([]*client, len(keys))
		for i, k := range keys {
			clients[i] = srv.client(k)
		}
		// After the restart: what the last round acknowledged is there.
		checked += l.verifyTasks(t, clients, clip, false, dirty)
		dirty = l.snapshot()

		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			seed := rng.Uint64()
			go func(i int) {
				defer wg.Done()
				w.worker(clients[i%len(clients)], i, i%len(clients), seed)
			}(i)
		}
		time.Sleep(time.Duration(10+rng.IntN(240)) * time.Millisecond)
		srv.kill()
		wg.Wait()
		if len(l.failures) > 0 {
			t.Fatalf("round %d: client errors:\n%v\nserver output:\n%s", round, l.failures, srv.out.String())
		}
		for _, n := range l.lostCreates {
			lostTotal += n
		}
		db := v.openDB()
		l.checkFile(t, db, usernames, rng)
		db.Close()
		checkListedBackups(t, v.listBackups())

		// Statistics kept in each transaction equal a rebuild from the tasks.
		var kept, rebuilt []*domain.DayStats
		v.okJSON(&kept, "stats")
		v.ok("stats", "rebuild")
		v.okJSON(&rebuilt, "stats")
		if err := sameStats(kept, rebuilt); err != nil {
			t.Fatalf("round %d: statistics differ from a rebuild: %v", round, err)
		}
	}

	// A last clean start: every task, not only the last round's.
	srv := v.serve()
	clients := make([]*client, len(keys))
	for i, k := range keys {
		clients[i] = srv.client(k)
	}
	checked += l.verifyTasks(t, clients, clip, true, nil)
	srv.stop()
	v.integrityCheck()

	var finished int
	for _, r := range l.tasks {
		if r.Acked.Step == stepDone {
			finished++
		}
	}
	t.Logf("%d rounds: %d acknowledged requests, %d tasks (%d finished), %d lost create responses, %d task checks after restarts",
		rounds, l.acked, len(l.tasks), finished, lostTotal, checked)
	if l.acked < rounds {
		t.Fatalf("only %d requests were acknowledged in %d rounds: the workload did not run", l.acked, rounds)
	}
}
