package domain_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

func f(v float64) *float64 { return &v }
func i(v int) *int         { return &v }
func i64(v int64) *int64   { return &v }

// TestValidate proves each input type refuses out-of-range numbers, NaN and
// Inf with EINVALID naming the field, and accepts the bounds themselves.
func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		name  string
		err   error
		field string // "" when valid
	}{
		{"VideoOK", domain.VideoInput{SceneNumber: 1, Duration: f(domain.MaxVideoSeconds), Width: i(domain.MaxDimension), Height: i(1), FPS: f(domain.MaxFPS)}.Validate(), ""},
		{"VideoNaN", domain.VideoInput{SceneNumber: 1, Duration: f(math.NaN())}.Validate(), "duration"},
		{"VideoInf", domain.VideoInput{SceneNumber: 1, Duration: f(math.Inf(1))}.Validate(), "duration"},
		{"VideoHuge", domain.VideoInput{SceneNumber: 1, Duration: f(1.7e308)}.Validate(), "duration"},
		{"VideoFPSNaN", domain.VideoInput{SceneNumber: 1, FPS: f(math.NaN())}.Validate(), "fps"},
		{"VideoWidth", domain.VideoInput{SceneNumber: 1, Width: i(domain.MaxDimension + 1)}.Validate(), "width"},
		{"VideoHeight", domain.VideoInput{SceneNumber: 1, Height: i(0)}.Validate(), "height"},
		{"VideoScene0", domain.VideoInput{SceneNumber: 0}.Validate(), "scene_number"},
		{"VideoSceneHuge", domain.VideoInput{SceneNumber: domain.MaxScenes + 1}.Validate(), "scene_number"},
		{"FileSize", domain.CheckVideoNumbers(i64(domain.MaxFileSize+1), nil, nil, nil, nil), "file_size"},
		{"FileSizeOK", domain.CheckVideoNumbers(i64(domain.MaxFileSize), nil, nil, nil, nil), ""},
		{"ScriptInf", domain.ScriptBatch{{SceneNumber: 1, Description: "d", Duration: math.Inf(1)}}.Validate(), "scripts[0].duration"},
		{"ScriptTwice", domain.ScriptBatch{{SceneNumber: 1, Description: "d"}, {SceneNumber: 1, Description: "d"}}.Validate(), "scripts[1].scene_number"},
		{"ScriptLighting", domain.ScriptBatch{{SceneNumber: 1, Description: "d", Lighting: " "}}.Validate(), "scripts[0].lighting"},
		{"ScriptTooMany", domain.ScriptBatch(make([]domain.ScriptInput, domain.MaxScenes+1)).Validate(), "scripts"},
		{"TaskScenes", domain.TaskCreate{Prompt: "p", TotalScenes: domain.MaxScenes + 1}.Validate(), "total_scenes"},
		{"TaskUserID", domain.TaskCreate{Prompt: "p", UserID: -1}.Validate(), "user_id"},
		{"TaskPrompt", domain.TaskCreate{Prompt: "a\x00b"}.Validate(), "prompt"},
		{"TaskPromptUTF8", domain.TaskCreate{Prompt: "\xff"}.Validate(), "prompt"},
		{"TaskPromptLong", domain.TaskCreate{Prompt: strings.Repeat("x", domain.MaxPromptChars+1)}.Validate(), "prompt"},
		{"Progress", domain.TaskProgress{Progress: 101}.Validate(), "progress"},
		{"ProgressScenes", domain.TaskProgress{Progress: 1, CompletedScenes: i(domain.MaxScenes + 1)}.Validate(), "completed_scenes"},
		{"ClaimOK", domain.ClaimRequest{Worker: "w", Lease: domain.MaxLease, MaxAttempts: domain.MaxAttemptsCap}.Validate(), ""},
		{"ClaimLease", domain.ClaimRequest{Worker: "w", Lease: domain.MaxLease + time.Second}.Validate(), "lease_seconds"},
		{"ClaimAttempts", domain.ClaimRequest{Worker: "w", MaxAttempts: domain.MaxAttemptsCap + 1}.Validate(), "max_attempts"},
		{"ClaimWorker", domain.ClaimRequest{}.Validate(), "worker"},
		{"FilterLimit", domain.TaskFilter{Limit: domain.MaxPageSize + 1}.Validate(), "limit"},
		{"FilterStatus", domain.TaskFilter{Status: []domain.Status{"done"}}.Validate(), "status"},
		{"UserQuota", domain.UserCreate{Username: "a", Quota: i(domain.MaxQuota + 1)}.Validate(), "quota"},
		{"UserQuotaOK", domain.UserCreate{Username: "a", Quota: i(domain.MaxQuota)}.Validate(), ""},
		{"UserEmail", domain.UserCreate{Username: "a", Email: "Bob <b@example.com>"}.Validate(), "email"},
		{"UserEmailLong", domain.UserCreate{Username: "a", Email: strings.Repeat("a", 250) + "@b.com"}.Validate(), "email"},
		{"TaskOK", domain.TaskCreate{Prompt: "p", TotalScenes: domain.MaxScenes}.Validate(), ""},
		{"ProgressOK", domain.TaskProgress{Progress: 100, CompletedScenes: i(domain.MaxScenes)}.Validate(), ""},
		{"ScriptOK", domain.ScriptBatch{{SceneNumber: 1, Description: "d", Duration: domain.MaxVideoSeconds, CameraMovement: "pan", Lighting: "dawn"}}.Validate(), ""},
		{"FilterOK", domain.TaskFilter{Limit: domain.MaxPageSize, Status: []domain.Status{domain.StatusFailed}}.Validate(), ""},
		{"UserEmailOK", domain.UserCreate{Username: "a", Email: "a@example.com"}.Validate(), ""},
		{"UserEmailBad", domain.UserCreate{Username: "a", Email: "not an address"}.Validate(), "email"},
		{"UserChinese", domain.UserCreate{Username: "李明"}.Validate(), ""},
		{"UserAccents", domain.UserCreate{Username: "Zoë.o-1"}.Validate(), ""},
		{"UserLeadingDot", domain.UserCreate{Username: ".a"}.Validate(), "username"},
		{"UserSlash", domain.UserCreate{Username: "a/b"}.Validate(), "username"},
		{"UserSpace", domain.UserCreate{Username: "a b"}.Validate(), "username"},
		{"UserLong", domain.UserCreate{Username: strings.Repeat("李", domain.MaxUsernameLen+1)}.Validate(), "username"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.field == "" {
				if tt.err != nil {
					t.Fatalf("err=%v, want valid", tt.err)
				}
				return
			}
			if got, want := domain.ErrorCode(tt.err), domain.EINVALID; got != want {
				t.Fatalf("code=%q, want %q (err %v)", got, want, tt.err)
			}
			if got := domain.ErrorField(tt.err); got != tt.field {
				t.Fatalf("field=%q, want %q (err %v)", got, tt.field, tt.err)
			}
		})
	}
}

// TestUsernameKey proves names differing only in letter case share a key,
// in any script.
func TestUsernameKey(t *testing.T) {
	for _, pair := range [][2]string{{"ALICE", "alice"}, {"Zoë", "ZOË"}, {"李明", "李明"}} {
		if a, b := domain.UsernameKey(pair[0]), domain.UsernameKey(pair[1]); a != b {
			t.Fatalf("key(%q)=%q, key(%q)=%q, want equal", pair[0], a, pair[1], b)
		}
	}
	if domain.UsernameKey("alice") == domain.UsernameKey("alicia") {
		t.Fatal("different names share a key")
	}
}
