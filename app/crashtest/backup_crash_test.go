package crashtest_test

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/domain"
)

// DefaultBackupCrashRounds is how many backups and restores make test kills;
// $REELVAULT_BACKUP_CRASH_ROUNDS overrides it.
const DefaultBackupCrashRounds = 10

// seededVault returns a vault holding n imported tasks (a few MB, so that a
// backup or restore takes long enough to be killed in each of its phases).
func seededVault(t *testing.T, n int) *vault {
	t.Helper()
	v := newVault(t)
	v.ok("import", writeImport(t, "alice", n, 300, 1))
	return v
}

// listBackups returns the backups the command line lists.
func (v *vault) listBackups() []*domain.Backup {
	v.t.Helper()
	var list []*domain.Backup
	v.okJSON(&list, "backups")
	return list
}

// checkListedBackups proves every listed backup whole: the file's checksum
// is the catalogue's, and it decompresses to a database that passes
// integrity_check with the listed number of tasks.
func checkListedBackups(t *testing.T, list []*domain.Backup) {
	t.Helper()
	for _, b := range list {
		if got := fileSHA256(t, b.Path); got != b.SHA256 {
			t.Fatalf("backup %s is listed with sha256 %s but the file has %s", b.Name, b.SHA256, got)
		}
		// A private copy: opening a database may write to it. Backups are
		// zstd-compressed, except the pre-restore ones kept as plain
		// database files (hard links of the replaced file).
		plain := filepath.Join(t.TempDir(), "check.db")
		data, err := os.ReadFile(b.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("SQLite format 3\x00")) {
			zr, err := zstd.NewReader(nil)
			if err != nil {
				t.Fatal(err)
			}
			data, err = zr.DecodeAll(data, nil)
			zr.Close()
			if err != nil {
				t.Fatalf("backup %s does not decompress: %v", b.Name, err)
			}
		}
		if err := os.WriteFile(plain, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cv := &vault{t: t, dir: filepath.Dir(plain)}
		db := cv.openDBFile(plain)
		checkIntegrity(t, db)
		n, _ := taskSet(t, db)
		db.Close()
		if int64(n) != b.Rows["tasks"] {
			t.Fatalf("backup %s lists %d tasks and holds %d", b.Name, b.Rows["tasks"], n)
		}
	}
}

// strays returns the files in the backups folder that are neither a listed
// backup nor the folder's own bookkeeping.
func strays(t *testing.T, dir string, list []*domain.Backup) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	listed := map[string]bool{"catalog.json": true, ".lock": true, ".live": true, "restore-journal.json": true}
	for _, b := range list {
		listed[b.Name] = true
		listed[strings.SplitN(b.Name, ".db", 2)[0]+".media.json"] = true
	}
	if len(list) > 0 {
		listed["objects"], listed["hashcache.json"] = true, true
	}
	var out []string
	for _, e := range entries {
		if !listed[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestCrash_KillDuringBackup kills "reelvault backup" at random moments of
// its copy, verify and compress phases: the database stays whole and
// unchanged, no backup that was not verified is ever listed, every listed
// backup decompresses to a sound database, and the next backup leaves no
// debris of the killed ones behind.
func TestCrash_KillDuringBackup(t *testing.T) {
	v := seededVault(t, 600)
	requireCommand(t, v, "backup")
	rounds := envInt(t, "REELVAULT_BACKUP_CRASH_ROUNDS", DefaultBackupCrashRounds)
	db := v.openDB()
	wantN, wantSet := taskSet(t, db)
	db.Close()

	// The shorter of two runs: one slowed by a busy machine would put the
	// kill points after most backups have ended.
	var full time.Duration
	for range 2 {
		start := time.Now()
		v.ok("backup")
		if d := time.Since(start); full == 0 || d < full {
			full = d
		}
	}
	t.Logf("a backup of %d tasks takes %v", wantN, full.Round(time.Millisecond))

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	killed := 0
	for round := 0; round < rounds; round++ {
		delay := time.Duration(rng.Int64N(int64(full)))
		if _, ok := v.runKilledAfter(delay, "backup"); ok {
			killed++
		} else {
			// It ended before the kill: aim the next points earlier.
			full = full * 4 / 5
		}
		list := v.listBackups()
		checkListedBackups(t, list)
		db := v.openDB()
		checkIntegrity(t, db)
		if n, set := taskSet(t, db); n != wantN || set != wantSet {
			t.Fatalf("round %d: the database changed under a killed backup: %d tasks (%s), want %d (%s)", round, n, set, wantN, wantSet)
		}
		db.Close()
	}
	if killed < rounds/3 {
		t.Fatalf("only %d of %d backups were killed while running (seed %d)", killed, rounds, seed)
	}

	// The next backup completes and cleans up after the killed ones.
	v.ok("backup")
	list := v.listBackups()
	checkListedBackups(t, list)
	if s := strays(t, filepath.Join(v.dir, "backups"), list); len(s) > 0 {
		t.Fatalf("after %d killed backups and a good one, the backups folder still holds %s", killed, strings.Join(s, ", "))
	}
	t.Logf("%d backups killed (seed %d); %d verified backups listed", killed, seed, len(list))
}

// TestCrash_KillDuringRestore kills a restore at random moments, run from
// the command line and through a running server's API: afterwards the
// database is either the old one or the restored one, whole (never a mix),
// and "restore --undo" still brings back the data that was there before the
// restore.
func TestCrash_KillDuringRestore(t *testing.T) {
	template := seededVault(t, 400)
	requireCommand(t, template, "restore")
	// State A is in the backup; state B (A plus 100 more tasks) is live.
	var b domain.Backup
	template.okJSON(&b, "backup")
	db := template.openDB()
	nA, setA := taskSet(t, db)
	db.Close()
	template.ok("import", writeImport(t, "bob", 100, 300, 2))
	db = template.openDB()
	nB, setB := taskSet(t, db)
	db.Close()
	rounds := envInt(t, "REELVAULT_BACKUP_CRASH_ROUNDS", DefaultBackupCrashRounds)

	// check verifies one killed round and returns whether the restore took.
	check := func(t *testing.T, v *vault, round int, delay time.Duration) bool {
		t.Helper()
		db := v.openDB()
		checkIntegrity(t, db)
		n, set := taskSet(t, db)
		db.Close()
		restored := false
		switch {
		case n == nA && set == setA:
			restored = true
			// The restore took: undo brings B back.
			v.ok("restore", "--undo", "--yes")
		case n == nB && set == setB:
			// The restore did not take: undo either has nothing to undo or
			// puts back a copy of the same data; B stays either way.
			res := v.run("restore", "--undo", "--yes")
			if res.Code != 0 && !strings.Contains(res.Stderr, "no restore to undo") {
				t.Fatalf("round %d (killed after %v): restore --undo: exit %d: %s", round, delay, res.Code, res.Stderr)
			}
		default:
			t.Fatalf("round %d (killed after %v): %d tasks (%s): neither the old database (%d, %s) nor the restored one (%d, %s)",
				round, delay, n, set, nB, setB, nA, setA)
		}
		db = v.openDB()
		checkIntegrity(t, db)
		if n, set := taskSet(t, db); n != nB || set != setB {
			t.Fatalf("round %d (killed after %v): after undo %d tasks (%s), want the %d from before the restore (%s)", round, delay, n, set, nB, setB)
		}
		db.Close()
		// The backups stay sound too.
		checkListedBackups(t, v.listBackups())
		return restored
	}
	fresh := func(t *testing.T) *vault {
		v := &vault{t: t, dir: filepath.Join(t.TempDir(), "data"), home: template.home}
		copyDir(t, template.dir, v.dir)
		return v
	}
	// Kill points spread from the start to just past the usual end, so that
	// some land in each phase: expand, verify, link the old file, swap.
	killAt := func(rng *rand.Rand, round int, full time.Duration) time.Duration {
		frac := 0.15 + 0.95*(float64(round)+rng.Float64())/float64(rounds)
		return time.Duration(frac * float64(full))
	}

	t.Run("CommandLine", func(t *testing.T) {
		// The shorter of two runs: one slowed by a busy machine would put
		// the kill points after most restores have ended.
		var full time.Duration
		for range 2 {
			probe := fresh(t)
			start := time.Now()
			probe.ok("restore", b.Name, "--yes")
			if d := time.Since(start); full == 0 || d < full {
				full = d
			}
		}
		t.Logf("restoring %d tasks over %d takes %v", nA, nB, full.Round(time.Millisecond))
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 3))
		var killed, restored int
		for round := 0; round < rounds; round++ {
			v := fresh(t)
			delay := killAt(rng, round, full)
			if _, ok := v.runKilledAfter(delay, "restore", b.Name, "--yes"); ok {
				killed++
			} else {
				// It ended before the kill: the machine got faster; aim
				// the next points earlier.
				full = full * 4 / 5
			}
			if check(t, v, round, delay) {
				restored++
			}
		}
		if killed < rounds/3 {
			t.Fatalf("only %d of %d restores were killed while running (seed %d)", killed, rounds, seed)
		}
		t.Logf("%d of %d restores killed (seed %d): %d rounds left the restored database, %d the old one; undo worked after each", killed, rounds, seed, restored, rounds-restored)
	})

	t.Run("Serve", func(t *testing.T) {
		restore := func(srv *server) (int, error) {
			return srv.owner().do("POST", "/api/v1/backups/"+b.Name+"/restore", nil, nil)
		}
		probe := fresh(t)
		srv := probe.serve()
		start := time.Now()
		if _, err := restore(srv); err != nil {
			t.Fatalf("restore through the API: %v", err)
		}
		full := time.Since(start)
		srv.stop()
		t.Logf("restoring through the API takes %v", full.Round(time.Millisecond))
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(seed, 4))
		var restored int
		for round := 0; round < rounds; round++ {
			v := fresh(t)
			srv := v.serve()
			owner := srv.owner()
			delay := killAt(rng, round, full)
			done := make(chan error, 1)
			go func() {
				_, err := owner.do("POST", "/api/v1/backups/"+b.Name+"/restore", nil, nil)
				done <- err
			}()
			time.Sleep(delay)
			srv.kill()
			if err := <-done; err != nil && errCode(err) != "transport" {
				t.Fatalf("round %d: restore through the API: %v", round, err)
			}
			if check(t, v, round, delay) {
				restored++
			}
		}
		t.Logf("%d server restores killed (seed %d): %d rounds left the restored database, %d the old one; undo worked after each", rounds, seed, restored, rounds-restored)
	})
}
