package crashtest_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// mediaClips is how many video files the media crash tests back up and
// restore, of mediaClipBytes each.
const (
	mediaClips     = 40
	mediaClipBytes = 512 << 10
)

// DefaultMediaCrashRounds is how many media backups and file restores the
// media crash tests kill (each round copies the data folder);
// $REELVAULT_BACKUP_CRASH_ROUNDS overrides it.
const DefaultMediaCrashRounds = 6

// writeClips writes the vault's video files with content that depends on
// gen, and returns their paths.
func writeClips(t *testing.T, v *vault, gen int) []string {
	t.Helper()
	paths := make([]string, mediaClips)
	data := make([]byte, mediaClipBytes)
	for i := range paths {
		rng := rand.New(rand.NewPCG(uint64(gen), uint64(i)))
		for j := 0; j < len(data); j += 8 {
			x := rng.Uint64()
			for k := 0; k < 8; k++ {
				data[j+k] = byte(x >> (8 * k))
			}
		}
		paths[i] = v.clip(fmt.Sprintf("clip-%02d.mp4", i), data)
	}
	return paths
}

// importVideos imports one task per path whose scene 1 is that video file.
func importVideos(t *testing.T, v *vault, paths []string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "videos.ndjson")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	enc.Encode(map[string]any{
		"format": "reelvault-export", "version": 1, "exported_at": now, "filter": map[string]any{},
		"users": []map[string]any{{"username": "carol", "quota": 1_000_000, "used_quota": 0, "is_active": true, "created_at": now, "updated_at": now}},
	})
	for i, p := range paths {
		enc.Encode(map[string]any{
			"task_id":  fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			"username": "carol", "prompt": "clip " + p, "status": "pending", "progress": 0,
			"total_scenes": 1, "completed_scenes": 0, "attempts": 0, "created_at": now, "updated_at": now,
			"scripts": []any{},
			"videos":  []map[string]any{{"scene_number": 1, "file_path": p, "status": "completed", "created_at": now}},
			"events":  []map[string]any{{"type": "created", "status": "pending", "progress": 0, "created_at": now}},
		})
	}
	w.Flush()
	f.Close()
	v.ok("import", file)
}

// checkMediaSets proves every listed set with media whole: its media list
// is there and every object it names hashes to its name. And no object in
// the store is partial or damaged, listed or not.
func checkMediaSets(t *testing.T, dir string, list []*domain.Backup) {
	t.Helper()
	for _, b := range list {
		if b.Media == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, strings.SplitN(b.Name, ".db", 2)[0]+".media.json"))
		if err != nil {
			t.Fatalf("listed set %s has no media list: %v", b.Name, err)
		}
		var mf struct {
			Objects []string `json:"objects"`
		}
		if err := json.Unmarshal(data, &mf); err != nil {
			t.Fatalf("media list of %s: %v", b.Name, err)
		}
		if int64(len(mf.Objects)) > b.Media.Files || len(mf.Objects) == 0 {
			t.Fatalf("set %s lists %d objects for %d files", b.Name, len(mf.Objects), b.Media.Files)
		}
		for _, s := range mf.Objects {
			if _, err := os.Stat(filepath.Join(dir, "objects", s[:2], s)); err != nil {
				t.Fatalf("listed set %s lacks object %s", b.Name, s)
			}
		}
	}
	filepath.WalkDir(filepath.Join(dir, "objects"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return nil
		}
		if got := fileSHA256(t, p); got != d.Name() {
			t.Fatalf("object %s holds content with sha256 %s: a partial or damaged object under an object name", d.Name(), got)
		}
		return nil
	})
}

// TestCrash_KillDuringMediaBackup kills "reelvault backup" while it stores
// the video files: a set is listed only with all its files stored and
// verified, no object is ever partial, and the database is unchanged.
func TestCrash_KillDuringMediaBackup(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "destination", "list")
	importVideos(t, v, writeClips(t, v, 0))
	db := v.openDB()
	wantN, wantSet := taskSet(t, db)
	db.Close()
	start := time.Now()
	v.ok("backup")
	full := time.Since(start)
	t.Logf("a backup of %d files of %d bytes takes %v", mediaClips, mediaClipBytes, full.Round(time.Millisecond))

	rounds := envInt(t, "REELVAULT_BACKUP_CRASH_ROUNDS", DefaultMediaCrashRounds)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 5))
	backups := filepath.Join(v.dir, "backups")
	killed := 0
	for round := 1; round <= rounds; round++ {
		writeClips(t, v, round) // new content: every file is a new object
		delay := time.Duration(rng.Int64N(int64(full)))
		if _, ok := v.runKilledAfter(delay, "backup"); ok {
			killed++
		}
		list := v.listBackups()
		checkListedBackups(t, list)
		checkMediaSets(t, backups, list)
		db := v.openDB()
		if n, set := taskSet(t, db); n != wantN || set != wantSet {
			t.Fatalf("round %d: the database changed under a killed backup", round)
		}
		db.Close()
	}
	if killed < rounds/3 {
		t.Fatalf("only %d of %d backups were killed while running (seed %d)", killed, rounds, seed)
	}
	v.ok("backup")
	list := v.listBackups()
	checkMediaSets(t, backups, list)
	if s := strays(t, backups, list); len(s) > 0 {
		t.Fatalf("after %d killed backups and a good one, the backups folder still holds %s", killed, strings.Join(s, ", "))
	}
	tmps, _ := filepath.Glob(filepath.Join(backups, "objects", ".tmp-*"))
	if len(tmps) > 0 {
		t.Fatalf("temporary objects left: %v", tmps)
	}
	t.Logf("%d media backups killed (seed %d); %d verified sets listed", killed, seed, len(list))
}

// TestCrash_KillDuringFileRestore kills "reelvault restore" of a set with
// video files at random moments: after the next command, the database and
// every file are either all from before the restore or all restored, never
// a mix, and a file that differed is kept aside, not lost.
func TestCrash_KillDuringFileRestore(t *testing.T) {
	template := newVault(t)
	requireCommand(t, template, "destination", "list")
	paths := writeClips(t, template, 0)
	importVideos(t, template, paths)
	var b domain.Backup
	template.okJSON(&b, "backup")
	db := template.openDB()
	nA, setA := taskSet(t, db)
	db.Close()
	sumsA := map[string]string{}
	for _, p := range paths {
		sumsA[filepath.Base(p)] = fileSHA256(t, p)
	}
	// State B: more tasks, every file changed, a few files gone.
	template.ok("import", writeImport(t, "bob", 50, 50, 2))
	writeClips(t, template, 1)
	for _, p := range paths[:5] {
		os.Remove(p)
	}
	db = template.openDB()
	nB, setB := taskSet(t, db)
	db.Close()
	sumsB := map[string]string{}
	for _, p := range paths[5:] {
		sumsB[filepath.Base(p)] = fileSHA256(t, p)
	}
	fresh := snapshotVault(t, template)
	files := func(v *vault) (map[string]string, int) { return mediaFiles(t, v) }
	same := func(a, b map[string]string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

	probe := fresh(t)
	start := time.Now()
	probe.ok("--json", "restore", b.Name, "--yes")
	full := time.Since(start)
	if got, _ := files(probe); !same(got, sumsA) {
		t.Fatal("a whole restore did not bring every file back")
	}
	t.Logf("restoring %d tasks and %d files takes %v", nA, mediaClips, full.Round(time.Millisecond))

	rounds := envInt(t, "REELVAULT_BACKUP_CRASH_ROUNDS", DefaultMediaCrashRounds)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 6))
	var killed, restored int
	for round := 0; round < rounds; round++ {
		v := fresh(t)
		delay := time.Duration((0.1 + 1.0*(float64(round)+rng.Float64())/float64(rounds)) * float64(full))
		if _, ok := v.runKilledAfter(delay, "restore", b.Name, "--yes"); ok {
			killed++
		}
		v.listBackups() // the next command finishes or undoes the restore
		db := v.openDB()
		checkIntegrity(t, db)
		n, set := taskSet(t, db)
		db.Close()
		got, aside := files(v)
		switch {
		case n == nA && set == setA:
			restored++
			if !same(got, sumsA) {
				t.Fatalf("round %d (killed after %v): the database is restored but the files are not all back", round, delay)
			}
			if aside != len(sumsB) {
				t.Fatalf("round %d: %d files kept aside, want %d", round, aside, len(sumsB))
			}
		case n == nB && set == setB:
			if !same(got, sumsB) || aside != 0 {
				t.Fatalf("round %d (killed after %v): the database is the old one but the files changed", round, delay)
			}
		default:
			t.Fatalf("round %d (killed after %v): neither the old nor the restored database", round, delay)
		}
	}
	if killed < rounds/3 {
		t.Fatalf("only %d of %d restores were killed while running (seed %d)", killed, rounds, seed)
	}
	t.Logf("%d of %d file restores killed (seed %d): %d left everything restored, %d everything as before", killed, rounds, seed, restored, rounds-restored)
}

// TestCrash_KillDuringTaskFileRestore kills "reelvault restore NAME --task
// ID…" of tasks whose video files were lost or changed: after the next
// command, the chosen tasks' rows and their files are either all from
// before the restore or all restored, never a mix, every other task and
// file is untouched, and a file that differed is kept aside, not lost.
func TestCrash_KillDuringTaskFileRestore(t *testing.T) {
	template := newVault(t)
	requireCommand(t, template, "destination", "list")
	paths := writeClips(t, template, 0)
	importVideos(t, template, paths)
	var b domain.Backup
	template.okJSON(&b, "backup")
	const chosen = 10 // tasks 0..9, with clips 0..9
	var ids []string
	for i := range chosen {
		ids = append(ids, fmt.Sprintf("00000000-0000-4000-8000-%012d", i))
	}
	sumsA := map[string]string{}
	for _, p := range paths[:chosen] {
		sumsA[filepath.Base(p)] = fileSHA256(t, p)
	}
	// State B: every file changed, the first three gone, the chosen tasks
	// cancelled.
	writeClips(t, template, 1)
	for _, p := range paths[:3] {
		os.Remove(p)
	}
	for _, id := range ids {
		template.ok("task", "cancel", id)
	}
	sumsB := map[string]string{}
	for _, p := range paths[3:] {
		sumsB[filepath.Base(p)] = fileSHA256(t, p)
	}
	fresh := snapshotVault(t, template)
	// state returns the statuses of the chosen tasks, the sha256 of each
	// file in the media folder (kept-aside copies apart) and how many
	// copies were kept aside.
	state := func(v *vault) (map[string]int, map[string]string, int) {
		db := v.openDB()
		defer db.Close()
		checkIntegrity(t, db)
		statuses := map[string]int{}
		for _, id := range ids {
			var s string
			if err := db.QueryRow(`SELECT status FROM tasks WHERE task_id = ?`, id).Scan(&s); err != nil {
				t.Fatalf("task %s: %v", id, err)
			}
			statuses[s]++
		}
		files, aside := mediaFiles(t, v)
		return statuses, files, aside
	}
	// The files after a whole task restore: the chosen ones from A, the
	// others as in B.
	restoredFiles := map[string]string{}
	for k, v := range sumsB {
		restoredFiles[k] = v
	}
	for k, v := range sumsA {
		restoredFiles[k] = v
	}
	same := func(a, b map[string]string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }
	args := append([]string{"restore", b.Name, "--yes", "--task"}, ids...)

	// The fastest of two whole runs sets the window the kills land in.
	var full time.Duration
	for range 2 {
		probe := fresh(t)
		start := time.Now()
		probe.ok(args...)
		if d := time.Since(start); full == 0 || d < full {
			full = d
		}
		if st, got, aside := state(probe); st["pending"] != chosen || !same(got, restoredFiles) || aside != chosen-3 {
			t.Fatalf("a whole task restore: statuses %v, %d files kept aside, files restored %v", st, aside, same(got, restoredFiles))
		}
	}
	t.Logf("restoring %d tasks with their files takes %v", chosen, full.Round(time.Millisecond))

	rounds := envInt(t, "REELVAULT_BACKUP_CRASH_ROUNDS", DefaultMediaCrashRounds)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	var killed, restored int
	for round := 0; round < rounds; round++ {
		v := fresh(t)
		delay := time.Duration((0.05 + 0.8*(float64(round)+rng.Float64())/float64(rounds)) * float64(full))
		if _, ok := v.runKilledAfter(delay, args...); ok {
			killed++
		}
		v.listBackups() // the next command finishes or undoes the restore
		st, got, aside := state(v)
		switch {
		case st["pending"] == chosen:
			restored++
			if !same(got, restoredFiles) || aside != chosen-3 {
				t.Fatalf("round %d (killed after %v): the tasks are restored but their files are not all back (%d kept aside)", round, delay, aside)
			}
		case st["cancelled"] == chosen:
			if !same(got, sumsB) || aside != 0 {
				t.Fatalf("round %d (killed after %v): the tasks are as before but files changed", round, delay)
			}
		default:
			t.Fatalf("round %d (killed after %v): the chosen tasks are a mix: %v", round, delay, st)
		}
	}
	if killed < rounds/3 {
		t.Fatalf("only %d of %d task restores were killed while running (seed %d)", killed, rounds, seed)
	}
	t.Logf("%d of %d task restores killed (seed %d): %d left everything restored, %d everything as before", killed, rounds, seed, restored, rounds-restored)
}

// snapshotVault copies the template vault's folder aside and returns a
// function that puts the template back as it is now and returns it. The
// database names its video files by absolute path, so every round of a
// crash test runs in the template's own folder.
func snapshotVault(t *testing.T, template *vault) func(t *testing.T) *vault {
	snapshot := filepath.Join(t.TempDir(), "snapshot")
	copyDir(t, template.dir, snapshot)
	return func(t *testing.T) *vault {
		if err := os.RemoveAll(template.dir); err != nil {
			t.Fatal(err)
		}
		copyDir(t, snapshot, template.dir)
		return template
	}
}

// mediaFiles returns the sha256 of each file in the vault's media folder
// (kept-aside copies apart) and how many copies were kept aside; a staged
// file left behind fails the test.
func mediaFiles(t *testing.T, v *vault) (map[string]string, int) {
	out := map[string]string{}
	aside := 0
	entries, _ := os.ReadDir(filepath.Join(v.dir, domain.MediaFolder))
	for _, e := range entries {
		switch {
		case strings.Contains(e.Name(), ".before-restore-"):
			aside++
		case strings.HasPrefix(e.Name(), "."):
			t.Fatalf("a staged file is left in the media folder: %s", e.Name())
		default:
			out[e.Name()] = fileSHA256(t, filepath.Join(v.dir, domain.MediaFolder, e.Name()))
		}
	}
	return out, aside
}
