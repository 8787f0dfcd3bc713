package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelvault/reelvault/app/cli"
	"github.com/reelvault/reelvault/domain"
)

func TestBackupMedia(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	clip := filepath.Join(r.dir, "media", "alice", "final.mp4")
	os.MkdirAll(filepath.Dir(clip), 0o755)
	os.WriteFile(clip, []byte(strings.Repeat("frame ", 5000)), 0o644)
	id := r.createTask("alice", "first")
	r.ok("task", "start", id)
	r.ok("task", "complete", id, "--video", clip)

	b := decode[domain.Backup](t, r.ok("--json", "backup"))
	if b.Media == nil || b.Media.Files != 1 || b.Media.NewFiles != 1 {
		t.Fatalf("backup media=%+v, want the one video", b.Media)
	}
	quick := decode[domain.Backup](t, r.ok("--json", "backup", "--db-only"))
	if quick.Media != nil {
		t.Fatalf("--db-only backup holds media %+v", quick.Media)
	}
	out := r.ok("backups").Stdout
	if !strings.Contains(out, "database + videos") || !strings.Contains(out, "database only") {
		t.Fatalf("backups does not tell the kinds apart:\n%s", out)
	}

	disk := t.TempDir()
	if res := r.run("destination", "add", "usb", disk, "--cron", "bad"); res.Code != cli.ExitError || !strings.Contains(res.Stderr, "cron") {
		t.Fatalf("destination add with a bad schedule: exit %d, stderr %s", res.Code, res.Stderr)
	}
	r.env[cli.EnvPassphrase] = "correct horse battery"
	r.ok("destination", "add", "usb", disk, "--cron", "0 4 * * *", "--keep", "3", "--encrypt")
	ds := decode[[]domain.DestinationStatus](t, r.ok("--json", "destination", "list"))
	if len(ds) != 2 || ds[1].Name != "usb" || !ds[1].Connected || !ds[1].Encrypted {
		t.Fatalf("destinations=%+v", ds)
	}
	onDisk := decode[domain.Backup](t, r.ok("--json", "backup", "--to", "usb"))
	if onDisk.Destination != "usb" || !onDisk.Encrypted || onDisk.Media == nil {
		t.Fatalf("backup --to usb=%+v", onDisk)
	}

	// The video is lost; the set on the disk brings it back.
	want, _ := os.ReadFile(clip)
	os.Remove(clip)
	delete(r.env, cli.EnvPassphrase)
	res := r.run("restore", onDisk.Name, "--yes")
	if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, "passphrase") {
		t.Fatalf("restore of an encrypted set without the passphrase: exit %d, stderr %s", res.Code, res.Stderr)
	}
	r.env[cli.EnvPassphrase] = "not the passphrase"
	res = r.run("restore", onDisk.Name, "--yes")
	if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, "Wrong passphrase") {
		t.Fatalf("restore with a wrong passphrase: exit %d, stderr %s", res.Code, res.Stderr)
	}
	if _, err := os.Stat(clip); err == nil {
		t.Fatal("a refused restore put the file back")
	}
	r.env[cli.EnvPassphrase] = "correct horse battery"
	out = r.ok("--json", "restore", onDisk.Name, "--yes").Stdout
	if !strings.Contains(out, `"restored": 1`) {
		t.Fatalf("restore output:\n%s", out)
	}
	os.Remove(clip)
	res = r.run("restore", onDisk.Name, "--yes")
	out = res.Stdout
	if !strings.Contains(out, "Video files: 1 put back") {
		t.Fatalf("restore output:\n%s", out)
	}
	if got, _ := os.ReadFile(clip); string(got) != string(want) {
		t.Fatal("the video did not come back")
	}

	// One task from a local set: its lost video comes back with its rows,
	// and undo takes the video away again.
	os.Remove(clip)
	tr := decode[domain.TaskRestoreResult](t, r.ok("--json", "restore", b.Name, "--task", id, "--yes"))
	if tr.Files == nil || tr.Files.Restored != 1 {
		t.Fatalf("restore --task files=%+v, want the video put back", tr.Files)
	}
	if got, _ := os.ReadFile(clip); string(got) != string(want) {
		t.Fatal("the task's video did not come back")
	}
	if out := r.ok("restore", "--undo", "--yes").Stdout; !strings.Contains(out, "Video files: 1 removed, 0 put back in place.") {
		t.Fatalf("undo of a task restore:\n%s", out)
	}
	if _, err := os.Stat(clip); err == nil {
		t.Fatal("the undo left the video the task restore put back")
	}
	os.WriteFile(clip, want, 0o644)

	// A drill of the disk's newest set, with its passphrase, hashes the
	// video; status shows each destination's last proven set.
	d := decode[domain.DrillResult](t, r.ok("--json", "drill", "--to", "usb"))
	if !d.OK || d.Destination != "usb" || d.Backup != onDisk.Name || d.FilesChecked != 1 {
		t.Fatalf("drill --to usb=%+v", d)
	}
	delete(r.env, cli.EnvPassphrase)
	res = r.run("drill", "--to", "usb")
	if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, "passphrase") {
		t.Fatalf("drill of an encrypted set without the passphrase: exit %d, stderr %s", res.Code, res.Stderr)
	}
	out = r.ok("status").Stdout
	if !strings.Contains(out, onDisk.Name+", usb)") || !strings.Contains(out, "needs passphrase") || !strings.Contains(out, "never (local)") {
		t.Fatalf("status does not show usb proven (and its drill needing the passphrase):\n%s", out)
	}
	r.fails(cli.ExitError, "error: \"Bad\" is not a destination name; \"reelvault destination list\" shows them.\n", "drill", "--to", "Bad")

	// The disk is unplugged: shown as such, a backup to it says so.
	os.Rename(disk, disk+"-away")
	res = r.run("drill", "--to", "usb")
	if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, "not connected") {
		t.Fatalf("drill of an unplugged destination: exit %d, stderr %s", res.Code, res.Stderr)
	}
	out = r.ok("destination", "list").Stdout
	if !strings.Contains(out, "unplugged") {
		t.Fatalf("destination list:\n%s", out)
	}
	res = r.run("backup", "--to", "usb")
	if res.Code == cli.ExitOK || !strings.Contains(res.Stderr, "not connected") {
		t.Fatalf("backup to an unplugged destination: exit %d, stderr %s", res.Code, res.Stderr)
	}
	if _, err := os.Stat(disk); err == nil {
		t.Fatal("a backup to an unplugged destination created its folder")
	}
	r.ok("destination", "remove", "usb")
}

func TestVerify(t *testing.T) {
	r := newRunner(t)
	r.addUser("alice")
	r.fails(cli.ExitError, "error: There is no backup in local to verify yet.\n", "verify")
	clip := filepath.Join(r.dir, "media", "alice", "final.mp4")
	os.MkdirAll(filepath.Dir(clip), 0o755)
	os.WriteFile(clip, []byte(strings.Repeat("frame ", 5000)), 0o644)
	id := r.createTask("alice", "first")
	r.ok("task", "start", id)
	r.ok("task", "complete", id, "--video", clip)
	b := decode[domain.Backup](t, r.ok("--json", "backup"))

	out := r.ok("verify").Stdout
	if !strings.Contains(out, "Verified: "+b.Name+" on local") || !strings.Contains(out, "1 video files") || !strings.Contains(out, "hashed again") {
		t.Fatalf("verify:\n%s", out)
	}
	r.fails(cli.ExitError, "error: There is no backup called \"nope\" in local.\n", "verify", "nope")
	r.fails(cli.ExitError, "error: \"Bad\" is not a destination name; \"reelvault destination list\" shows them.\n", "verify", "--to", "Bad")

	// A flipped bit in the video's copy is caught and named.
	objects, _ := filepath.Glob(filepath.Join(r.dir, "backups", "objects", "*", "*"))
	if len(objects) != 1 {
		t.Fatalf("objects=%v, want one", objects)
	}
	data, _ := os.ReadFile(objects[0])
	data[len(data)/2] ^= 0x04
	os.WriteFile(objects[0], data, 0o600)
	res := r.run("verify", b.Name)
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "damaged") || !strings.Contains(res.Stderr, clip) {
		t.Fatalf("verify of a flipped object: exit %d, stderr %s", res.Code, res.Stderr)
	}
	os.Rename(objects[0]+".damaged", objects[0]) // verify set it aside
	res = r.run("drill")
	if res.Code != cli.ExitError || !strings.Contains(res.Stderr, "FAILED") || !strings.Contains(res.Stderr, clip) {
		t.Fatalf("drill of a flipped object: exit %d, stderr %s", res.Code, res.Stderr)
	}
	if out := r.ok("status").Stdout; !strings.Contains(out, "THE LAST RESTORE DRILL FAILED") {
		t.Fatalf("status after a failed drill:\n%s", out)
	}
	// The damaged copy was set aside: the next backup stores the video again.
	if again := decode[domain.Backup](t, r.ok("--json", "backup")); again.Media == nil || again.Media.NewFiles != 1 {
		t.Fatalf("backup after a damaged copy: media=%+v, want the video stored again", again.Media)
	}
	r.ok("drill")

	// An encrypted destination's set: hashed with the passphrase, else
	// only proven present.
	disk := t.TempDir()
	r.env[cli.EnvPassphrase] = "correct horse battery"
	r.ok("destination", "add", "usb", disk, "--encrypt")
	onDisk := decode[domain.Backup](t, r.ok("--json", "backup", "--to", "usb"))
	if out := r.ok("verify", "--to", "usb").Stdout; !strings.Contains(out, onDisk.Name+" on usb") || !strings.Contains(out, "hashed again") {
		t.Fatalf("verify --to usb:\n%s", out)
	}
	delete(r.env, cli.EnvPassphrase)
	if out := r.ok("verify", "--to", "usb", onDisk.Name).Stdout; !strings.Contains(out, "not hashed without the passphrase") {
		t.Fatalf("verify --to usb without the passphrase:\n%s", out)
	}
}
