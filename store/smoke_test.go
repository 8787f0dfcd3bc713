package store_test

import (
	"testing"

	"github.com/reelvault/reelvault/domain"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	u, _, uctx := e.MustCreateUser(t, "alice", 10)
	task := e.MustCreateTask(t, uctx, domain.TaskCreate{Prompt: "制作森林探险视频 in the forest", TotalScenes: 2})
	if _, err := e.Tasks.SetScripts(uctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "a"}, {SceneNumber: 2, Description: "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.StartTask(uctx, task.TaskID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.AddVideo(uctx, task.TaskID, domain.VideoInput{SceneNumber: 1, FilePath: "/tmp/x.mp4"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.UpdateProgress(uctx, task.TaskID, domain.TaskProgress{Progress: 50}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tasks.CompleteTask(uctx, task.TaskID, "/tmp/final.mp4"); err != nil {
		t.Fatal(err)
	}
	got, err := e.Tasks.FindTaskByID(uctx, task.TaskID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v scripts=%d videos=%d events=%d user=%d", got, len(got.Scripts), len(got.Videos), len(got.Events), u.ID)
	for _, q := range []string{"森林", "fore", "探险视频"} {
		page, err := e.Tasks.FindTasks(uctx, domain.TaskFilter{Search: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Tasks) != 1 {
			t.Fatalf("search %q: %d", q, len(page.Tasks))
		}
	}
	days, err := e.Stats.DailyStats(e.Owner, "", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", days[0])
	st, err := e.Stats.Status(e.Owner)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", st)
}
