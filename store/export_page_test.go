package store_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// A filtered export holds exactly the matching tasks of the full export,
// each with its own scripts, videos and events, across several pages: the
// matching tasks are sparse (their children read by id list) or dense with
// gaps (read by id range, the other tasks' children skipped).
func TestExportService_Export_FilterPages(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	src := openAt(t)
	importFile(t, src, filepath.Join("testdata", "import.json"))
	lines := bytes.Split(bytes.TrimSuffix(exportAll(t, src, domain.ExportFilter{NDJSON: true}), []byte("\n")), []byte("\n"))

	// 1,100 tasks (three pages), copies of the sample tasks; alice owns a
	// sparse few, bob the rest.
	const n = 1100
	alice := map[int]bool{0: true, 1: true, 2: true, 3: true, 20: true, 45: true, 59: true, 600: true, 1099: true}
	var doc bytes.Buffer
	doc.Write(lines[0])
	doc.WriteByte('\n')
	for i := range n {
		var task store.ExportTask
		if err := json.Unmarshal(lines[1+i%(len(lines)-1)], &task); err != nil {
			t.Fatal(err)
		}
		task.TaskID = fmt.Sprintf("page-%04d", i)
		task.Username = "bob"
		if alice[i] {
			task.Username = "alice"
		}
		line, err := json.Marshal(&task)
		if err != nil {
			t.Fatal(err)
		}
		doc.Write(line)
		doc.WriteByte('\n')
	}
	db := openAt(t)
	if _, err := store.NewExportService(db).Import(ctx, &doc); err != nil {
		t.Fatal(err)
	}

	taskLines := func(out []byte) [][]byte {
		return bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))[1:]
	}
	all := taskLines(exportAll(t, db, domain.ExportFilter{NDJSON: true}))
	if len(all) != n {
		t.Fatalf("tasks=%d, want %d", len(all), n)
	}
	// Each task carries the children of the sample it was copied from.
	for i, line := range all {
		var got, want store.ExportTask
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(lines[1+i%(len(lines)-1)], &want); err != nil {
			t.Fatal(err)
		}
		if got.TaskID != fmt.Sprintf("page-%04d", i) {
			t.Fatalf("task %d: task_id=%q, want page-%04d", i, got.TaskID, i)
		}
		got.TaskID, got.Username = want.TaskID, want.Username
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("task %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	for _, user := range []string{"alice", "bob"} {
		t.Run(user, func(t *testing.T) {
			var want [][]byte
			for _, line := range all {
				if bytes.Contains(line, []byte(`"username":"`+user+`"`)) {
					want = append(want, line)
				}
			}
			got := taskLines(exportAll(t, db, domain.ExportFilter{Username: user, NDJSON: true}))
			if len(got) != len(want) {
				t.Fatalf("tasks=%d, want %d", len(got), len(want))
			}
			for i := range want {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("task %d:\n got %s\nwant %s", i, got[i], want[i])
				}
			}
		})
	}
}

// The readers of one export see one snapshot: a transaction that changes
// a task of the first chunk and a task of the last together is in the
// export for both or for neither, while it runs again and again.
func TestExportService_Export_Snapshot(t *testing.T) {
	ctx := domain.WithOwner(context.Background())
	db := openAt(t)
	importFile(t, db, bigExport(t, 2500)) // five chunks
	lib := store.NewLibraryService(db)
	if _, err := lib.CreateCollection(ctx, "pair"); err != nil {
		t.Fatal(err)
	}
	pair := []string{"bulk-000000", "bulk-002499"}
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		for in := true; ; in = !in {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			var err error
			if in {
				_, err = lib.AddToCollection(ctx, "pair", pair)
			} else {
				_, err = lib.RemoveFromCollection(ctx, "pair", pair)
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()
	for range 20 {
		lines := bytes.Split(exportAll(t, db, domain.ExportFilter{NDJSON: true}), []byte("\n"))
		var inPair []string
		for _, line := range lines[1:] {
			if bytes.Contains(line, []byte(`"collections":["pair"]`)) {
				var task store.ExportTask
				if err := json.Unmarshal(line, &task); err != nil {
					t.Fatal(err)
				}
				inPair = append(inPair, task.TaskID)
			}
		}
		if len(inPair) != 0 && len(inPair) != 2 {
			t.Fatalf("one export saw %v in the collection: the readers saw different snapshots", inPair)
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
