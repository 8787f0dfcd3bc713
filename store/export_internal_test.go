package store

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestExportPage_AppendTask asserts that the hand-written task encoder
// writes exactly what json.Encoder (SetEscapeHTML(false)) writes for the
// same ExportTask, on text, numbers and times that need care.
func TestExportPage_AppendTask(t *testing.T) {
	strs := []string{
		"", "plain ascii", `quote " and back\slash`, "line\nbreak\ttab\r\x00\x01\x1f\x7f",
		"<html> & more", "中文提示词 with ümlauts", "line\u2028sep\u2029para", "bad \xff\xfe utf8",
		"emoji 🎬", "\b\f",
	}
	floats := []float64{0, 1, -1, 0.1, 1.5, 1e-7, 1.23e-9, 1e20, 1e21, 123456789.125, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 29.97, 1.0 / 3}
	times := []time.Time{
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 26, 2, 3, 4, 5000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC),
		fromMicros(1),
	}
	ptrInt := func(v int) *int { return &v }
	ptrInt64 := func(v int64) *int64 { return &v }

	for i := range 40 {
		s := func(k int) string { return strs[(i+k)%len(strs)] }
		fl := func(k int) float64 { return floats[(i+k)%len(floats)] }
		tm := func(k int) time.Time { return times[(i+k)%len(times)] }
		task := ExportTask{
			TaskID: s(0), Username: s(1), Prompt: s(2), Status: domain.Status(s(3)),
			Progress: i - 3, TotalScenes: i, CompletedScenes: i / 2,
			FinalVideoPath: s(4), ErrorMessage: s(5), Attempts: i % 3,
			CreatedAt: tm(0), UpdatedAt: tm(1),
			Scripts: []*ExportScript{}, Videos: []*ExportVideo{}, Events: []*ExportEvent{},
		}
		if i%2 == 0 {
			st, done, d := tm(2), tm(3), fl(0)
			task.StartedAt, task.CompletedAt, task.Duration = &st, &done, &d
		}
		var p exportPage
		p.ids = []int64{1}
		for k := range i % 4 {
			sc := ExportScript{SceneNumber: k + 1, Description: s(k + 6), Duration: fl(k + 1),
				CameraMovement: s(k + 7), Lighting: s(k + 8), CreatedAt: tm(k)}
			v := ExportVideo{SceneNumber: k, FilePath: s(k + 9), Status: s(k + 1), CreatedAt: tm(k + 1)}
			if (i+k)%3 != 0 {
				d, fps := fl(k+2), fl(k+3)
				v.FileSize, v.Duration, v.Width, v.Height, v.FPS = ptrInt64(int64(i*k)), &d, ptrInt(1920), ptrInt(0), &fps
			}
			if (i+k)%2 == 0 { // probed facts and the claim they were checked against
				cd, cf, at := fl(k+4), fl(k+5), tm(k+3)
				v.Codec, v.ContentHash, v.Mismatch, v.ProbeError = s(k+10), s(k+11), s(k+12), s(k+13)
				v.ClaimedWidth, v.ClaimedHeight, v.ClaimedDuration, v.ClaimedFPS, v.ProbedAt = ptrInt(1280+i), ptrInt(720), &cd, &cf, &at
			}
			e := ExportEvent{Type: s(k + 2), Status: domain.Status(s(k + 3)), Progress: k * 10, Message: s(k + 4), CreatedAt: tm(k + 2)}
			p.scripts = append(p.scripts, sc)
			p.videos = append(p.videos, v)
			p.events = append(p.events, e)
			task.Scripts = append(task.Scripts, &sc)
			task.Videos = append(task.Videos, &v)
			task.Events = append(task.Events, &e)
		}
		p.tasks = []ExportTask{task}
		p.scriptAt = []int{0, len(p.scripts)}
		p.videoAt = []int{0, len(p.videos)}
		p.eventAt = []int{0, len(p.events)}

		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(&task); err != nil {
			t.Fatal(err)
		}
		got, err := p.appendTask(nil, 0)
		if err != nil {
			t.Fatalf("task %d: %v", i, err)
		}
		got = append(got, '\n')
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("task %d:\n got %s\nwant %s", i, got, want.Bytes())
		}
	}

	t.Run("ErrNaN", func(t *testing.T) {
		if _, err := appendJSONFloat(nil, math.NaN()); err == nil {
			t.Error("NaN encoded without an error")
		}
		nan := math.NaN()
		for name, v := range map[string]*ExportVideo{
			"claimed_duration": {ClaimedDuration: &nan},
			"claimed_fps":      {ClaimedFPS: &nan},
		} {
			if _, err := appendVideoFacts(nil, v); err == nil {
				t.Errorf("a NaN %s encoded without an error", name)
			}
		}
	})
}

// TestExportPage_ChildCursor asserts that children arrive attached to the
// right task when a range query also returns children of tasks outside the
// page.
func TestExportPage_ChildCursor(t *testing.T) {
	p := &exportPage{ids: []int64{2, 5, 6, 9}}
	c := newChildCursor(p, nil)
	n := 0
	for _, id := range []int64{1, 2, 2, 3, 4, 6, 6, 6, 8, 10} {
		if c.add(id, n) {
			n++
		}
	}
	at := c.done(n)
	// Task 2: two children, 5: none, 6: three, 9: none.
	want := []int{0, 2, 2, 5, 5}
	if len(at) != len(want) {
		t.Fatalf("spans=%v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("spans=%v, want %v", at, want)
		}
	}
}
