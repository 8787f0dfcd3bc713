package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// dailyStats returns every day's statistics.
func dailyStats(t *testing.T, db *store.DB) []*domain.DayStats {
	t.Helper()
	days, err := store.NewStatsService(db).DailyStats(domain.WithOwner(context.Background()), "", "")
	if err != nil {
		t.Fatal(err)
	}
	return days
}

// assertStatsRebuilt fails unless the stored statistics equal a rebuild.
func assertStatsRebuilt(t *testing.T, db *store.DB) {
	t.Helper()
	before := dailyStats(t, db)
	if err := store.NewStatsService(db).RebuildStats(domain.WithOwner(context.Background())); err != nil {
		t.Fatal(err)
	}
	if after := dailyStats(t, db); !reflect.DeepEqual(before, after) {
		t.Fatalf("statistics differ from a rebuild:\nstored  %s\nrebuilt %s", dump(before), dump(after))
	}
}

func dump(days []*domain.DayStats) string {
	var b bytes.Buffer
	for _, d := range days {
		b.WriteString(d.Date + " ")
		b.WriteString(reflect.ValueOf(*d).String())
	}
	return b.String()
}

func sortRecs(recs []*store.ExportTask) {
	sort.Slice(recs, func(i, j int) bool { return recs[i].TaskID < recs[j].TaskID })
}

func signatures(t *testing.T, db *store.DB) []store.TaskSignature {
	t.Helper()
	var out []store.TaskSignature
	if err := db.EachTaskSignature(context.Background(), func(s store.TaskSignature) error {
		out = append(out, s)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDB_ReplaceTasks(t *testing.T) {
	const (
		done   = "3f6c1d2e-0000-4000-8000-000000000001" // completed, 3 videos
		failed = "3f6c1d2e-0000-4000-8000-000000000002"
	)
	ctx := context.Background()
	src := openAt(t)
	importFile(t, src, filepath.Join("testdata", "import.json"))
	live := openAt(t)
	importFile(t, live, filepath.Join("testdata", "import.json"))
	want := exportAll(t, src, domain.ExportFilter{})

	users, recs, err := src.TaskRecords(ctx, []string{done, failed, "no-such-task"})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(recs); got != 2 {
		t.Fatalf("records=%d, want 2", got)
	}
	if got := len(recs[0].Videos); got != 3 {
		t.Fatalf("videos of the completed task=%d, want 3", got)
	}

	// Change one task and lose another in the live database.
	changed := *recs[0]
	changed.Prompt = "a different prompt"
	changed.Videos = changed.Videos[:1]
	if _, err := live.ReplaceTasks(ctx, nil, []*store.ExportTask{&changed}, []string{failed}, nil); err != nil {
		t.Fatal(err)
	}
	assertStatsRebuilt(t, live)
	if bytes.Equal(exportAll(t, live, domain.ExportFilter{}), want) {
		t.Fatal("the live history did not change")
	}

	t.Run("RestoresExactly", func(t *testing.T) {
		var sawOld []*store.ExportTask
		var sawAbsent []string
		res, err := live.ReplaceTasks(ctx, users, recs, nil, func(old []*store.ExportTask, absent []string) error {
			sawOld, sawAbsent = old, absent
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(res.Replaced)+len(res.Added), 2; got != want {
			t.Fatalf("replaced+added=%d, want %d", got, want)
		}
		if len(sawOld) != 1 || sawOld[0].Prompt != "a different prompt" || len(sawAbsent) != 1 || sawAbsent[0] != failed {
			t.Fatalf("before saw old=%d absent=%v", len(sawOld), sawAbsent)
		}
		all := []string{done, failed, "3f6c1d2e-0000-4000-8000-000000000003"}
		_, got, err := live.TaskRecords(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		_, wantRecs, _ := src.TaskRecords(ctx, all)
		sortRecs(got)
		sortRecs(wantRecs)
		if !reflect.DeepEqual(got, wantRecs) {
			t.Fatal("tasks after the restore differ from the source")
		}
		if !reflect.DeepEqual(signatures(t, live), signatures(t, src)) {
			t.Fatal("signatures differ after restore")
		}
		assertStatsRebuilt(t, live)
	})

	t.Run("BeforeErrorAborts", func(t *testing.T) {
		snap := exportAll(t, live, domain.ExportFilter{})
		_, err := live.ReplaceTasks(ctx, nil, []*store.ExportTask{&changed}, nil, func([]*store.ExportTask, []string) error {
			return domain.Errorf(domain.ECONFLICT, "stop")
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("err=%v, want conflict", err)
		}
		if !bytes.Equal(exportAll(t, live, domain.ExportFilter{}), snap) {
			t.Fatal("an aborted restore changed the history")
		}
	})

	t.Run("Marked", func(t *testing.T) {
		// The mark is stored with the rows, and not at all when they are not.
		mark := store.Mark{Key: "test.mark", Value: "m1"}
		_, err := live.ReplaceTasksMarked(ctx, nil, []*store.ExportTask{&changed}, nil, mark, func([]*store.ExportTask, []string) error {
			return domain.Errorf(domain.ECONFLICT, "stop")
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			t.Fatalf("err=%v, want conflict", err)
		}
		all, err := store.NewSettings(live).All(ctx)
		if err != nil || all["test.mark"] != "" {
			t.Fatalf("an aborted write left its mark: %q (%v)", all["test.mark"], err)
		}
		if _, err := live.ReplaceTasksMarked(ctx, users, recs, nil, mark, nil); err != nil {
			t.Fatal(err)
		}
		if all, err = store.NewSettings(live).All(ctx); err != nil || all["test.mark"] != "m1" {
			t.Fatalf("mark=%q (%v), want m1", all["test.mark"], err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		bad := *recs[0]
		bad.Progress = 101
		_, err := live.ReplaceTasks(ctx, nil, []*store.ExportTask{&bad}, nil, nil)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err=%v, want invalid", err)
		}
		many := make([]string, store.MaxRestoreTasks+1)
		if _, _, err := live.TaskRecords(ctx, many); domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err=%v, want invalid", err)
		}
	})
}
