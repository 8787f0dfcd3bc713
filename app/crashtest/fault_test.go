package crashtest_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// mountTmpfs mounts a tmpfs of size bytes at dir for the rest of the test,
// read-only when ro is set. It skips the test where the machine does not
// allow mounting (not root, or inside a restricted container).
func mountTmpfs(t *testing.T, dir string, size int64, ro bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := fmt.Sprintf("size=%d,mode=0755", size)
	if ro {
		opts += ",ro"
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); the fault needs a size-limited file system", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
}

// assertFails runs the command and fails the test unless it exits 1 with an
// "error:" line on stderr that contains every one of words (any case).
func (v *vault) assertFails(words []string, args ...string) cliResult {
	v.t.Helper()
	res := v.run(args...)
	msg := strings.ToLower(res.Stderr)
	if i := strings.Index(msg, "error: "); i >= 0 && (i == 0 || msg[i-1] == '\n') {
		msg = msg[i:] // progress lines may come first
	}
	if res.Code != 1 || !strings.HasPrefix(msg, "error: ") {
		v.t.Fatalf("reelvault %s: exit %d, stderr %q; want exit 1 with an error line", strings.Join(args, " "), res.Code, res.Stderr)
	}
	for _, w := range words {
		if !strings.Contains(msg, strings.ToLower(w)) {
			v.t.Fatalf("reelvault %s: the error %q does not say %q", strings.Join(args, " "), strings.TrimSpace(res.Stderr), w)
		}
	}
	if strings.Contains(res.Stderr, "panic:") || strings.Contains(res.Stderr, "goroutine ") {
		v.t.Fatalf("reelvault %s crashed:\n%s", strings.Join(args, " "), res.Stderr)
	}
	return res
}

// digest returns the task count and digest of the vault's database.
func (v *vault) digest() (int, string) {
	v.t.Helper()
	db := v.openDB()
	defer db.Close()
	checkIntegrity(v.t, db)
	return taskSet(v.t, db)
}

// TestFault_BackupFolderReadOnly: the backups folder is on a read-only file
// system. The backup fails with a clear error, nothing is listed, and the
// database is untouched; once writable again the next backup works.
func TestFault_BackupFolderReadOnly(t *testing.T) {
	v := seededVault(t, 50)
	requireCommand(t, v, "backup")
	n, set := v.digest()
	backups := filepath.Join(v.dir, "backups")
	mountTmpfs(t, backups, 64<<20, true)

	v.assertFails([]string{"read-only"}, "backup")
	if list := v.listBackups(); len(list) != 0 {
		t.Fatalf("backups listed after a failed backup: %+v", list)
	}
	if gn, gs := v.digest(); gn != n || gs != set {
		t.Fatalf("the database changed: %d tasks (%s), want %d (%s)", gn, gs, n, set)
	}
	if out, err := exec.Command("mount", "-o", "remount,rw", backups).CombinedOutput(); err != nil {
		t.Fatalf("remount rw: %v: %s", err, out)
	}
	v.ok("backup")
	checkListedBackups(t, v.listBackups())
}

// TestFault_BackupFolderMissing: the backups folder, catalogue and all, is
// deleted behind Reelvault's back. Listing says there are none, the next
// backup recreates the folder, and a backup to a path under a regular file
// fails with a clear error.
func TestFault_BackupFolderMissing(t *testing.T) {
	v := seededVault(t, 20)
	requireCommand(t, v, "backup")
	v.ok("backup")
	if err := os.RemoveAll(filepath.Join(v.dir, "backups")); err != nil {
		t.Fatal(err)
	}
	if list := v.listBackups(); len(list) != 0 {
		t.Fatalf("backups listed from a deleted folder: %+v", list)
	}
	v.ok("backup")
	list := v.listBackups()
	if len(list) != 1 {
		t.Fatalf("after the folder was deleted and one backup taken: %d listed", len(list))
	}
	checkListedBackups(t, list)

	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	v.assertFails([]string{"not a directory"}, "backup", "--out", filepath.Join(file, "sub", "b.db.zst"))
}

// TestFault_BackupDiskFull: the backups folder is a file system too small
// for the backup. The backup fails saying the disk is full, leaves no
// partial file behind (the small disk is empty again), lists nothing, and
// the database is untouched.
func TestFault_BackupDiskFull(t *testing.T) {
	v := seededVault(t, 300)
	requireCommand(t, v, "backup")
	n, set := v.digest()
	fi, err := os.Stat(v.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	backups := filepath.Join(v.dir, "backups")
	mountTmpfs(t, backups, fi.Size()/4, false)

	v.assertFails([]string{"disk is full"}, "backup")
	if list := v.listBackups(); len(list) != 0 {
		t.Fatalf("backups listed after a failed backup: %+v", list)
	}
	if s := strays(t, backups, nil); len(s) > 0 {
		t.Fatalf("a failed backup left %s on the full disk", strings.Join(s, ", "))
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(backups, &st); err != nil {
		t.Fatal(err)
	}
	if used := int64(st.Blocks-st.Bfree) * int64(st.Bsize); used > 64<<10 {
		t.Fatalf("%d bytes still used on the backup disk after the failed backup", used)
	}
	if gn, gs := v.digest(); gn != n || gs != set {
		t.Fatalf("the database changed: %d tasks (%s), want %d (%s)", gn, gs, n, set)
	}
}

// TestFault_DatabaseDiskFull: the data directory is a small file system and
// a server fills it with tasks. Once full, writes fail with a server error
// (never a hang, never a crash), reads keep working, and after a restart
// every acknowledged task is there and integrity_check passes.
func TestFault_DatabaseDiskFull(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	mountTmpfs(t, v.dir, 3<<20, false)
	key := v.addUser("alice", 1_000_000)
	srv := v.serve()
	c := srv.client(key)
	prompt := strings.Repeat("a long prompt that fills the disk ", 500) // ~17 KB
	var acked []string
	var full error
	for i := 0; i < 2000 && full == nil; i++ {
		var task domain.Task
		_, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": fmt.Sprintf("%d %s", i, prompt)}, &task)
		if err != nil {
			full = err
			break
		}
		acked = append(acked, task.TaskID)
	}
	if full == nil {
		t.Fatalf("%d tasks and the 3 MB disk is not full", len(acked))
	}
	if code := errCode(full); code != domain.EINTERNAL {
		t.Fatalf("write on a full disk: %v; want an internal error (HTTP 500)", full)
	}
	t.Logf("the disk filled after %d tasks: %v", len(acked), full)
	// Reads still work on a full disk.
	var page domain.TaskPage
	if _, err := c.do("GET", "/api/v1/tasks?limit=5", nil, &page); err != nil || len(page.Tasks) != 5 {
		t.Fatalf("list on a full disk: %v, %d tasks", err, len(page.Tasks))
	}
	if !strings.Contains(strings.ToLower(srv.out.String()), "full") {
		t.Fatalf("the server log does not say the disk is full:\n%s", srv.out.String())
	}
	srv.kill()

	// The command line still reads the full disk: every acknowledged task.
	var all domain.TaskPage
	v.okJSON(&all, "task", "list", "--limit", "500")
	if len(all.Tasks) != len(acked) {
		t.Fatalf("the command line lists %d tasks on the full disk, want the %d acknowledged", len(all.Tasks), len(acked))
	}
	// serve needs a few bytes for its token file: give the disk room, restart.
	if out, err := exec.Command("mount", "-o", "remount,size=8m", v.dir).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v: %s", err, out)
	}
	srv = v.serve()
	c = srv.client(key)
	for _, id := range acked {
		if _, err := c.do("GET", "/api/v1/tasks/"+id, nil, nil); err != nil {
			t.Fatalf("acknowledged task %s after the disk filled and a restart: %v", id, err)
		}
	}
	srv.stop()
	v.integrityCheck()
}

// TestFault_DatabaseReadOnly: the database file is made read-only (mode
// 0444, for an ordinary user). Writes fail with an error that says so,
// reads still work, and the file's bytes do not change.
func TestFault_DatabaseReadOnly(t *testing.T) {
	binary(t)
	base, err := os.MkdirTemp("", "reelvault-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(base, "reelvault")
	if out, err := exec.Command("cp", binPath, bin).CombinedOutput(); err != nil {
		t.Fatalf("copy binary: %v: %s", err, out)
	}
	v := &vault{t: t, dir: filepath.Join(base, "data"), home: base}
	v.addUser("alice", 10)
	id := strings.TrimSpace(v.ok("task", "create", "--user", "alice", "--prompt", "a fox"))
	v.ok("maintain", "checkpoint")

	const nobody = 65534
	if out, err := exec.Command("chown", "-R", fmt.Sprintf("%d:%d", nobody, nobody), v.dir).CombinedOutput(); err != nil {
		t.Skipf("cannot hand the data to an unprivileged user here: %v: %s", err, out)
	}
	if err := os.Chmod(v.dbPath(), 0o444); err != nil {
		t.Fatal(err)
	}
	before := fileSHA256(t, v.dbPath())
	runAs := func(args ...string) cliResult {
		cmd := exec.Command(bin, append([]string{"--data-dir", v.dir}, args...)...)
		cmd.Env = v.environ()
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		res := cliResult{Stdout: out.String(), Stderr: errb.String()}
		if ee, ok := err.(*exec.ExitError); ok {
			res.Code = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("run as nobody: %v", err)
		}
		return res
	}
	if res := runAs("task", "show", id); res.Code != 0 || !strings.Contains(res.Stdout, "a fox") {
		t.Fatalf("read of a read-only database: exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	for _, args := range [][]string{
		{"task", "create", "--user", "alice", "--prompt", "another fox"},
		{"task", "start", id},
		{"user", "add", "bob"},
	} {
		res := runAs(args...)
		if res.Code != 1 || !strings.Contains(strings.ToLower(res.Stderr), "readonly") && !strings.Contains(strings.ToLower(res.Stderr), "read-only") {
			t.Fatalf("reelvault %s on a read-only database: exit %d, stderr %q; want exit 1 saying it is read-only", strings.Join(args, " "), res.Code, res.Stderr)
		}
	}
	if after := fileSHA256(t, v.dbPath()); after != before {
		t.Fatalf("the read-only database file changed")
	}
}

// TestFault_VideoFileDeleted: a registered video's file is deleted. The
// task still lists the video, marked missing; the media endpoint answers 404
// saying the file is gone; the rows are untouched.
func TestFault_VideoFileDeleted(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 10)
	srv := v.serve()
	c := srv.client(key)
	clip := v.clip("scene1.mp4", []byte("not really a video, but bytes on disk"))
	var task domain.Task
	if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": "a fox", "total_scenes": 1}, &task); err != nil {
		t.Fatal(err)
	}
	var video domain.Video
	if _, err := c.do("POST", "/api/v1/tasks/"+task.TaskID+"/videos", map[string]any{"scene_number": 1, "file_path": clip}, &video); err != nil {
		t.Fatal(err)
	}
	if st, body, err := c.raw("GET", fmt.Sprintf("/media/%d", video.ID), nil, nil); err != nil || st != http.StatusOK || !strings.HasPrefix(string(body), "not really") {
		t.Fatalf("media before the delete: %d %q %v", st, body, err)
	}
	if err := os.Remove(clip); err != nil {
		t.Fatal(err)
	}
	var got domain.Task
	if _, err := c.do("GET", "/api/v1/tasks/"+task.TaskID, nil, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Videos) != 1 || !got.Videos[0].Missing || got.Videos[0].FilePath != clip {
		t.Fatalf("videos after the file was deleted: %+v; want the one video marked missing", got.Videos)
	}
	// The key gets the media rule's one answer for anything it may not
	// stream; the owner is told the file is gone.
	_, err := c.do("GET", fmt.Sprintf("/media/%d", video.ID), nil, nil)
	if code := errCode(err); code != domain.ENOTFOUND || !strings.Contains(err.Error(), "it is gone") {
		t.Fatalf("media of a deleted file: %v; want 404 saying the file may be gone", err)
	}
	_, err = srv.owner().do("GET", fmt.Sprintf("/media/%d", video.ID), nil, nil)
	if code := errCode(err); code != domain.ENOTFOUND || !strings.Contains(err.Error(), "no longer on disk") {
		t.Fatalf("media of a deleted file for the owner: %v; want 404 saying the file is gone", err)
	}
	srv.stop()
	db := v.openDB()
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM videos WHERE file_path = ?", clip).Scan(&n); err != nil || n != 1 {
		t.Fatalf("video rows for the deleted file: %d, %v; want 1", n, err)
	}
}

// TestFault_RestoreWhileServing: a restore from the command line while a
// server has the database open would swap the file under the running
// process, whose next writes would go to the replaced file and be lost. The
// restore is refused with a conflict, and the server's data and writes are
// untouched.
func TestFault_RestoreWhileServing(t *testing.T) {
	v := newVault(t)
	requireCommand(t, v, "serve")
	key := v.addUser("alice", 100)
	var b domain.Backup
	v.okJSON(&b, "backup")
	srv := v.serve()
	c := srv.client(key)
	var task domain.Task
	if _, err := c.do("POST", "/api/v1/tasks", map[string]any{"prompt": "written while serving"}, &task); err != nil {
		t.Fatal(err)
	}
	v.assertFails([]string{"running"}, "restore", b.Name, "--yes")
	// The server still writes, and its writes land in the file on disk.
	if _, err := c.do("POST", "/api/v1/tasks/"+task.TaskID+"/start", nil, nil); err != nil {
		t.Fatalf("write after the refused restore: %v", err)
	}
	srv.stop()
	var got domain.Task
	v.okJSON(&got, "task", "show", task.TaskID)
	if got.Status != domain.StatusProcessing {
		t.Fatalf("after the refused restore and a restart the task is %s, want processing", got.Status)
	}
	v.integrityCheck()
}

// dirSize returns the bytes of the regular files under dir.
func dirSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFault_RestoreDiskFull: the data directory's file system has room for
// the database and its backups but not for the staged copy a restore
// expands next to the database. The restore fails saying the disk is full,
// the database keeps its data, no staged file is left behind, and the
// command line keeps working.
func TestFault_RestoreDiskFull(t *testing.T) {
	template := seededVault(t, 150)
	requireCommand(t, template, "restore")
	var b domain.Backup
	template.okJSON(&b, "backup")
	template.ok("maintain", "checkpoint")
	db, err := os.Stat(template.dbPath())
	if err != nil {
		t.Fatal(err)
	}
	v := &vault{t: t, dir: filepath.Join(t.TempDir(), "data"), home: template.home}
	mountTmpfs(t, v.dir, dirSize(t, template.dir)+db.Size()/2, false)
	if out, err := exec.Command("cp", "-a", template.dir+"/.", v.dir).CombinedOutput(); err != nil {
		t.Fatalf("copy the data: %v: %s", err, out)
	}
	n, set := v.digest()

	res := v.assertFails([]string{"no space left"}, "restore", b.Name, "--yes")
	if strings.Contains(res.Stderr, "damaged") {
		t.Fatalf("a full disk is blamed on the backup: %s", res.Stderr)
	}
	if gn, gs := v.digest(); gn != n || gs != set {
		t.Fatalf("the database changed: %d tasks (%s), want %d (%s)", gn, gs, n, set)
	}
	matches, _ := filepath.Glob(filepath.Join(v.dir, ".reelvault.db.restore-*"))
	if len(matches) > 0 {
		t.Fatalf("a failed restore left %v", matches)
	}
	var status domain.DBStatus
	v.okJSON(&status, "status")
	if status.Counts["tasks"] != int64(n) {
		t.Fatalf("status after the failed restore: %d tasks, want %d", status.Counts["tasks"], n)
	}
}
