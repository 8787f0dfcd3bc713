package store_test

import (
	"strings"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// An import whose task holds a bad value is refused with EINVALID naming
// the task's field (tasks[n].field, n counted from 1 as the import's
// messages count) and leaves the database untouched.
func TestExportService_ImportBadTaskFields(t *testing.T) {
	task := func(doc map[string]any) map[string]any { return doc["tasks"].([]any)[0].(map[string]any) }
	video := func(doc map[string]any, i int) map[string]any { return task(doc)["videos"].([]any)[i].(map[string]any) }
	for _, tt := range []struct {
		name    string
		edit    func(doc map[string]any)
		field   string
		mention string
	}{
		{"TaskID", func(d map[string]any) { task(d)["task_id"] = "not a task id!" }, "tasks[1].task_id", "1 to 64 letters"},
		{"UnknownUser", func(d map[string]any) { task(d)["username"] = "nobody" }, "tasks[1].username", `user "nobody"`},
		{"Status", func(d map[string]any) { task(d)["status"] = "dreaming" }, "tasks[1].status", `status "dreaming"`},
		{"Progress", func(d map[string]any) { task(d)["progress"] = 101 }, "tasks[1].progress", "not 101"},
		{"TotalScenes", func(d map[string]any) { task(d)["total_scenes"] = -1 }, "tasks[1].total_scenes", "not -1"},
		{"CompletedScenes", func(d map[string]any) { task(d)["completed_scenes"] = 3 }, "tasks[1].completed_scenes", "total_scenes (2), not 3"},
		{"Attempts", func(d map[string]any) { task(d)["attempts"] = -2 }, "tasks[1].attempts", "attempts must be"},
		{"NoCreatedAt", func(d map[string]any) { delete(task(d), "created_at") }, "tasks[1].created_at", "required"},
		{"Duration", func(d map[string]any) { task(d)["duration"] = -5 }, "tasks[1].duration", "seconds"},
		{"EmptyPrompt", func(d map[string]any) { task(d)["prompt"] = "" }, "tasks[1].prompt", ""},
		{"Rating", func(d map[string]any) { task(d)["rating"] = 9 }, "tasks[1].rating", ""},
		{"NullScript", func(d map[string]any) { task(d)["scripts"].([]any)[1] = nil }, "tasks[1].scripts[1]", "a script is null"},
		{"NullVideo", func(d map[string]any) { task(d)["videos"].([]any)[2] = nil }, "tasks[1].videos[2]", "a video is null"},
		{"VideoScene", func(d map[string]any) { video(d, 1)["scene_number"] = -1 }, "tasks[1].videos[1].scene_number", "not -1"},
		{"VideoSceneTwice", func(d map[string]any) { video(d, 2)["scene_number"] = 1 }, "tasks[1].videos[2].scene_number", "scene 1 has two videos"},
		{"VideoNoPath", func(d map[string]any) { video(d, 1)["file_path"] = "" }, "tasks[1].videos[1].file_path", "file path"},
		{"VideoWidth", func(d map[string]any) { video(d, 0)["width"] = -1920 }, "tasks[1].videos[0].width", "video of scene 0"},
		{"VideoClaimedFPS", func(d map[string]any) { video(d, 0)["claimed_fps"] = -30 }, "tasks[1].videos[0].claimed_fps", "video of scene 0"},
		{"Event", func(d map[string]any) { task(d)["events"].([]any)[1].(map[string]any)["status"] = "dreaming" }, "tasks[1].events[1]", "valid status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			before := importSnapshot(t, e)
			doc := importFixture(t)
			tt.edit(doc)
			_, err := importDoc(e, doc)
			AssertCode(t, err, domain.EINVALID, tt.field)
			msg := domain.ErrorMessage(err)
			if !strings.HasPrefix(msg, "Task 1 (") || !strings.Contains(msg, tt.mention) {
				t.Errorf("message %q, want it to name task 1 and mention %q", msg, tt.mention)
			}
			if after := importSnapshot(t, e); after != before {
				t.Fatalf("a refused import changed the database:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}
