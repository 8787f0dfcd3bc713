package store_test

import (
	"bytes"
	"maps"
	"runtime"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// FuzzExportService_Import feeds arbitrary bytes to the import file reader.
// Whatever the input, Import must not panic, must refuse bad input with
// EINVALID (never an internal error, which would mean the input reached SQL
// unchecked), and must leave the database exactly as it was when it refuses.
// A file it accepts must leave the statistics equal to a rebuild.
func FuzzExportService_Import(f *testing.F) {
	e := newEnv(f)
	ctx := e.Owner
	_, _, alice := e.MustCreateUser(f, "alice", 1000)
	task := e.MustCreateTask(f, alice, domain.TaskCreate{Prompt: "制作森林探险视频 a fox at dawn", TotalScenes: 2})
	if _, err := e.Tasks.StartTask(ctx, task.TaskID); err != nil {
		f.Fatal(err)
	}
	if _, err := e.Tasks.SetScripts(ctx, task.TaskID, []domain.ScriptInput{{SceneNumber: 1, Description: "forest", Duration: 3}}); err != nil {
		f.Fatal(err)
	}
	var export, ndjson bytes.Buffer
	svc := store.NewExportService(e.DB)
	if err := svc.Export(ctx, &export, domain.ExportFilter{}); err != nil {
		f.Fatal(err)
	}
	if err := svc.Export(ctx, &ndjson, domain.ExportFilter{NDJSON: true}); err != nil {
		f.Fatal(err)
	}
	// The exports of this very database, and variations a careless or
	// hostile file could carry.
	f.Add(export.Bytes())
	f.Add(ndjson.Bytes())
	f.Add(bytes.Replace(export.Bytes(), []byte(task.TaskID), []byte("11111111-2222-4333-8444-555555555555"), -1))
	f.Add(bytes.Replace(ndjson.Bytes(), []byte(`"alice"`), []byte(`"mallory'); DROP TABLE tasks; --"`), -1))
	f.Add(bytes.Replace(export.Bytes(), []byte(`"processing"`), []byte(`"exploded"`), 1))
	f.Add(bytes.Replace(export.Bytes(), []byte(`"progress":0`), []byte(`"progress":-5`), 1))
	f.Add(bytes.Replace(export.Bytes(), []byte(`"version":1`), []byte(`"version":99`), 1))
	f.Add(bytes.Replace(export.Bytes(), []byte(`"total_scenes":2`), []byte(`"total_scenes":9223372036854775807`), 1))
	f.Add(export.Bytes()[:len(export.Bytes())/2])
	f.Add([]byte(`{"format":"reelvault-export","version":1,"users":[],"tasks":[{"task_id":"../../etc/passwd","username":"nobody","prompt":"x","status":"pending"}]}`))
	f.Add([]byte(`{"format":"reelvault-export","version":1,"users":[{"username":"","quota":-1}]}`))
	f.Add([]byte(`{"format":"something-else","version":1}`))
	f.Add([]byte("{\"format\":\"reelvault-export\",\"version\":1}\n{\"task_id\":\"a\u0000b\"}\n"))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte{})
	f.Add([]byte("\xff\xfe\x00garbage"))

	f.Fuzz(func(t *testing.T, data []byte) {
		before := e.Counts(t)
		var (
			res  *domain.ImportResult
			err  error
			done = make(chan struct{})
		)
		go func() {
			defer close(done)
			res, err = svc.Import(ctx, bytes.NewReader(data))
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			buf := make([]byte, 1<<20)
			t.Fatalf("Import did not return within 20 s:\n%s", buf[:runtime.Stack(buf, true)])
		}
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("Import refused the input with code %q, want %q: %v", code, domain.EINVALID, err)
			}
			if after := e.Counts(t); !maps.Equal(before, after) {
				t.Fatalf("a refused import changed the database: %v → %v", before, after)
			}
			return
		}
		if res.Tasks < 0 || res.Skipped < 0 || res.Users < 0 {
			t.Fatalf("Import = %+v", res)
		}
		kept, err := e.Stats.DailyStats(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Stats.RebuildStats(ctx); err != nil {
			t.Fatal(err)
		}
		rebuilt, err := e.Stats.DailyStats(ctx, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != len(rebuilt) {
			t.Fatalf("statistics after an import: %d days, %d after a rebuild", len(kept), len(rebuilt))
		}
	})
}
