package store_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// A file the probe cannot read keeps the claimed facts, and its probe
// error tells the person why in a sentence: not a container Reelvault
// knows, a container without a video track, or a damaged file.
func TestTaskService_ProbeErrorMessages(t *testing.T) {
	mp4, _, _ := testClips(t)
	dir := t.TempDir()
	whole, err := os.ReadFile(mp4)
	if err != nil {
		t.Fatal(err)
	}
	// The clip cut inside its first box: a damaged MP4.
	damaged := filepath.Join(dir, "damaged.mp4")
	if err := os.WriteFile(damaged, whole[:12], 0o600); err != nil {
		t.Fatal(err)
	}
	silent := filepath.Join(dir, "silent.mp4")
	out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.2",
		"-c:a", "aac", "-y", silent).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	notes := writeFile(t, filepath.Join(dir, "notes.mp4"), "words")

	for _, tt := range []struct {
		name, path, want string
	}{
		{"UnknownFormat", notes, "Not an MP4, MOV, WebM or Matroska file; its facts are as claimed."},
		{"NoVideoTrack", silent, "The file has no video track Reelvault can read; its facts are as claimed."},
		{"Damaged", damaged, "The file could not be read as a video ("},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			task := startTask(t, e, 1)
			v, err := e.Tasks.AddVideo(e.Owner, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: tt.path, Width: ptr(640), Height: ptr(360)})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v.ProbeError, tt.want) {
				t.Fatalf("probe_error=%q, want %q", v.ProbeError, tt.want)
			}
			if !strings.HasSuffix(v.ProbeError, "its facts are as claimed.") || len(v.ProbeError) > store.MaxProbeErrorChars || !utf8.ValidString(v.ProbeError) {
				t.Fatalf("probe_error=%q, want one valid sentence of at most %d bytes", v.ProbeError, store.MaxProbeErrorChars)
			}
			if *v.Width != 640 || *v.Height != 360 || v.ProbedAt == nil {
				t.Fatalf("video=%+v, want the claimed 640x360 kept", v)
			}
		})
	}
}
