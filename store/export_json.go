package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// appendTask appends tasks[i] with its children as one JSON object.
func (p *exportPage) appendTask(b []byte, i int) ([]byte, error) {
	t := &p.tasks[i]
	var err error
	b = append(b, `{"task_id":`...)
	b = appendJSONString(b, t.TaskID)
	b = append(b, `,"username":`...)
	b = appendJSONString(b, t.Username)
	b = append(b, `,"prompt":`...)
	b = appendJSONString(b, t.Prompt)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(t.Status))
	b = append(b, `,"progress":`...)
	b = strconv.AppendInt(b, int64(t.Progress), 10)
	b = append(b, `,"total_scenes":`...)
	b = strconv.AppendInt(b, int64(t.TotalScenes), 10)
	b = append(b, `,"completed_scenes":`...)
	b = strconv.AppendInt(b, int64(t.CompletedScenes), 10)
	if t.FinalVideoPath != "" {
		b = append(b, `,"final_video_path":`...)
		b = appendJSONString(b, t.FinalVideoPath)
	}
	if t.ErrorMessage != "" {
		b = append(b, `,"error_message":`...)
		b = appendJSONString(b, t.ErrorMessage)
	}
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(t.Attempts), 10)
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, t.CreatedAt); err != nil {
		return nil, err
	}
	b = append(b, `,"updated_at":`...)
	if b, err = appendJSONTime(b, t.UpdatedAt); err != nil {
		return nil, err
	}
	if t.StartedAt != nil {
		b = append(b, `,"started_at":`...)
		if b, err = appendJSONTime(b, *t.StartedAt); err != nil {
			return nil, err
		}
	}
	if t.CompletedAt != nil {
		b = append(b, `,"completed_at":`...)
		if b, err = appendJSONTime(b, *t.CompletedAt); err != nil {
			return nil, err
		}
	}
	if t.Duration != nil {
		b = append(b, `,"duration":`...)
		if b, err = appendJSONFloat(b, *t.Duration); err != nil {
			return nil, err
		}
	}
	if t.Starred {
		b = append(b, `,"starred":true`...)
	}
	if t.Rating != 0 {
		b = append(b, `,"rating":`...)
		b = strconv.AppendInt(b, int64(t.Rating), 10)
	}
	b = appendJSONStrings(b, "tags", t.Tags)
	b = appendJSONStrings(b, "collections", t.Collections)
	if t.RerunOf != "" {
		b = append(b, `,"rerun_of":`...)
		b = appendJSONString(b, t.RerunOf)
	}
	if t.TrashedAt != nil {
		b = append(b, `,"trashed_at":`...)
		if b, err = appendJSONTime(b, *t.TrashedAt); err != nil {
			return nil, err
		}
	}

	b = append(b, `,"scripts":[`...)
	for j, s := range p.scripts[p.scriptAt[i]:p.scriptAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendScript(b, &s); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"videos":[`...)
	for j, v := range p.videos[p.videoAt[i]:p.videoAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendVideo(b, &v); err != nil {
			return nil, err
		}
	}
	b = append(b, `],"events":[`...)
	for j, e := range p.events[p.eventAt[i]:p.eventAt[i+1]] {
		if j > 0 {
			b = append(b, ',')
		}
		if b, err = appendEvent(b, &e); err != nil {
			return nil, err
		}
	}
	return append(b, "]}"...), nil
}

func appendScript(b []byte, s *ExportScript) ([]byte, error) {
	var err error
	b = append(b, `{"scene_number":`...)
	b = strconv.AppendInt(b, int64(s.SceneNumber), 10)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, s.Description)
	b = append(b, `,"duration":`...)
	if b, err = appendJSONFloat(b, s.Duration); err != nil {
		return nil, err
	}
	if s.CameraMovement != "" {
		b = append(b, `,"camera_movement":`...)
		b = appendJSONString(b, s.CameraMovement)
	}
	if s.Lighting != "" {
		b = append(b, `,"lighting":`...)
		b = appendJSONString(b, s.Lighting)
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, s.CreatedAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendVideo(b []byte, v *ExportVideo) ([]byte, error) {
	var err error
	b = append(b, `{"scene_number":`...)
	b = strconv.AppendInt(b, int64(v.SceneNumber), 10)
	b = append(b, `,"file_path":`...)
	b = appendJSONString(b, v.FilePath)
	if v.FileSize != nil {
		b = append(b, `,"file_size":`...)
		b = strconv.AppendInt(b, *v.FileSize, 10)
	}
	if v.Duration != nil {
		b = append(b, `,"duration":`...)
		if b, err = appendJSONFloat(b, *v.Duration); err != nil {
			return nil, err
		}
	}
	if v.Width != nil {
		b = append(b, `,"width":`...)
		b = strconv.AppendInt(b, int64(*v.Width), 10)
	}
	if v.Height != nil {
		b = append(b, `,"height":`...)
		b = strconv.AppendInt(b, int64(*v.Height), 10)
	}
	if v.FPS != nil {
		b = append(b, `,"fps":`...)
		if b, err = appendJSONFloat(b, *v.FPS); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, v.Status)
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, v.CreatedAt); err != nil {
		return nil, err
	}
	return appendVideoFacts(b, v)
}

func appendEvent(b []byte, e *ExportEvent) ([]byte, error) {
	var err error
	b = append(b, `{"type":`...)
	b = appendJSONString(b, e.Type)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(e.Status))
	b = append(b, `,"progress":`...)
	b = strconv.AppendInt(b, int64(e.Progress), 10)
	if e.Message != "" {
		b = append(b, `,"message":`...)
		b = appendJSONString(b, e.Message)
	}
	b = append(b, `,"created_at":`...)
	if b, err = appendJSONTime(b, e.CreatedAt); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as a JSON string. Text that needs no escaping
// (the common case) is copied; anything else goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	plain, ascii := true, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			plain = false
			break
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	// encoding/json also escapes invalid UTF-8 and U+2028, U+2029.
	if plain && (ascii || utf8.ValidString(s) && !strings.ContainsRune(s, '\u2028') && !strings.ContainsRune(s, '\u2029')) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimSuffix(out.Bytes(), []byte("\n"))...)
}

// appendJSONTime appends t as time.Time.MarshalJSON does.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %v: year outside of range [0,9999]", t)
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendJSONFloat appends f as encoding/json does for a float64.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendJSONText appends ,"name":"s" for a non-empty s.
func appendJSONText(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, `,"`+name+`":`...)
	return appendJSONString(b, s)
}

// appendVideoFacts appends the facts of v read from its file, each only
// when known, and closes the object.
func appendVideoFacts(b []byte, v *ExportVideo) ([]byte, error) {
	var err error
	// In ExportVideo's field order, as json.Encoder writes them.
	b = appendJSONText(b, "codec", v.Codec)
	b = appendJSONText(b, "content_hash", v.ContentHash)
	if v.ClaimedWidth != nil {
		b = append(b, `,"claimed_width":`...)
		b = strconv.AppendInt(b, int64(*v.ClaimedWidth), 10)
	}
	if v.ClaimedHeight != nil {
		b = append(b, `,"claimed_height":`...)
		b = strconv.AppendInt(b, int64(*v.ClaimedHeight), 10)
	}
	if v.ClaimedDuration != nil {
		b = append(b, `,"claimed_duration":`...)
		if b, err = appendJSONFloat(b, *v.ClaimedDuration); err != nil {
			return nil, err
		}
	}
	if v.ClaimedFPS != nil {
		b = append(b, `,"claimed_fps":`...)
		if b, err = appendJSONFloat(b, *v.ClaimedFPS); err != nil {
			return nil, err
		}
	}
	b = appendJSONText(b, "mismatch", v.Mismatch)
	b = appendJSONText(b, "probe_error", v.ProbeError)
	if v.ProbedAt != nil {
		b = append(b, `,"probed_at":`...)
		if b, err = appendJSONTime(b, *v.ProbedAt); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendJSONStrings appends ,"name":[…] for a non-empty list.
func appendJSONStrings(b []byte, name string, list []string) []byte {
	if len(list) == 0 {
		return b
	}
	b = append(b, `,"`...)
	b = append(b, name...)
	b = append(b, `":[`...)
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}
