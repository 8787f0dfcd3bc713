package domain

import (
	"fmt"
	"math"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on numeric input. Every number the HTTP API, the CLI, the window and
// import accept is checked against one of these by a Validate method below,
// so one rule serves every edge. They are generous for real generation runs
// and small enough that sums over years of tasks stay finite.
const (
	MaxVideoSeconds = 24 * 60 * 60 // a video or scene lasts at most a day
	MaxFPS          = 1000         // frames per second
	MaxDimension    = 16384        // pixels of width or height (16K)
	MaxFileSize     = int64(1) << 40
	MaxQuota        = 1 << 30 // tasks a user may create (1,073,741,824)
	MaxAttemptsCap  = 100     // largest max_attempts a worker may ask for
	MaxLease        = 24 * time.Hour
	MaxPageSize     = 500 // tasks per page
	MaxUsernameLen  = 64  // characters
	MaxEmailLen     = 254 // bytes
	MaxWorkerChars  = 200
)

// ValidText checks a required free-text field: valid UTF-8, no NUL (which
// PostgreSQL text cannot hold), not blank, at most maxChars characters.
func ValidText(field, label, s string, maxChars int) error {
	switch {
	case !utf8.ValidString(s):
		return Invalidf(field, "The %s is not valid UTF-8 text.", label)
	case strings.ContainsRune(s, 0):
		return Invalidf(field, "The %s contains a NUL character.", label)
	case strings.TrimSpace(s) == "":
		return Invalidf(field, "The %s is required.", label)
	case utf8.RuneCountInString(s) > maxChars:
		return Invalidf(field, "The %s is longer than %d characters.", label, maxChars)
	}
	return nil
}

// finiteIn reports whether f is a finite number in [lo, hi].
func finiteIn(f, lo, hi float64) bool {
	return !math.IsNaN(f) && !math.IsInf(f, 0) && f >= lo && f <= hi
}

// checkSeconds checks a duration in seconds: finite, 0 to MaxVideoSeconds.
func checkSeconds(field string, f float64) error {
	if !finiteIn(f, 0, MaxVideoSeconds) {
		return Invalidf(field, "The %s must be a number of seconds from 0 to %d.", field, MaxVideoSeconds)
	}
	return nil
}

// CheckVideoNumbers checks the measured numbers of a video; nil means
// unknown. Import uses it for stored videos, AddVideo through VideoInput.
func CheckVideoNumbers(size *int64, duration *float64, width, height *int, fps *float64) error {
	switch {
	case size != nil && (*size < 0 || *size > MaxFileSize):
		return Invalidf("file_size", "The file_size must be from 0 to %d bytes.", MaxFileSize)
	case duration != nil && checkSeconds("duration", *duration) != nil:
		return checkSeconds("duration", *duration)
	case width != nil && (*width < 1 || *width > MaxDimension):
		return Invalidf("width", "The width must be from 1 to %d pixels.", MaxDimension)
	case height != nil && (*height < 1 || *height > MaxDimension):
		return Invalidf("height", "The height must be from 1 to %d pixels.", MaxDimension)
	case fps != nil && (!finiteIn(*fps, 0, MaxFPS) || *fps == 0):
		return Invalidf("fps", "The fps must be a number above 0 and at most %d.", MaxFPS)
	}
	return nil
}

// Validate checks a TaskCreate: a prompt and 0 to MaxScenes scenes.
func (in TaskCreate) Validate() error {
	if err := ValidText("prompt", "prompt", in.Prompt, MaxPromptChars); err != nil {
		return err
	}
	if in.TotalScenes < 0 || in.TotalScenes > MaxScenes {
		return Invalidf("total_scenes", "The total_scenes must be from 0 to %d, not %d.", MaxScenes, in.TotalScenes)
	}
	if in.UserID < 0 {
		return Invalidf("user_id", "The user_id must be positive.")
	}
	return nil
}

// Validate checks a TaskProgress: progress 0 to 100, completed scenes 0 to
// MaxScenes (the task's own scene count is checked by the store).
func (in TaskProgress) Validate() error {
	if in.Progress < 0 || in.Progress > 100 {
		return Invalidf("progress", "The progress must be from 0 to 100, not %d.", in.Progress)
	}
	if in.CompletedScenes != nil && (*in.CompletedScenes < 0 || *in.CompletedScenes > MaxScenes) {
		return Invalidf("completed_scenes", "The completed_scenes must be from 0 to %d, not %d.", MaxScenes, *in.CompletedScenes)
	}
	return nil
}

// Validate checks one scene script: scene 1 to MaxScenes, a description,
// a duration of 0 to MaxVideoSeconds, short optional texts.
func (in ScriptInput) Validate() error {
	if in.SceneNumber < 1 || in.SceneNumber > MaxScenes {
		return Invalidf("scene_number", "The scene_number must be from 1 to %d, not %d.", MaxScenes, in.SceneNumber)
	}
	if err := ValidText("description", "scene description", in.Description, MaxPromptChars); err != nil {
		return err
	}
	if err := checkSeconds("duration", in.Duration); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"camera_movement", in.CameraMovement}, {"lighting", in.Lighting}} {
		if f.v != "" {
			if err := ValidText(f.name, strings.ReplaceAll(f.name, "_", " "), f.v, 2000); err != nil {
				return err
			}
		}
	}
	return nil
}

// ScriptBatch is the input of SetScripts.
type ScriptBatch []ScriptInput

// Validate checks every script and that scene numbers are unique; fields
// are named scripts[i].name.
func (in ScriptBatch) Validate() error {
	if len(in) > MaxScenes {
		return Invalidf("scripts", "A task can have at most %d scenes.", MaxScenes)
	}
	seen := make(map[int]bool, len(in))
	for i, s := range in {
		if err := s.Validate(); err != nil {
			return Invalidf(fmt.Sprintf("scripts[%d].%s", i, ErrorField(err)), "%s", ErrorMessage(err))
		}
		if seen[s.SceneNumber] {
			return Invalidf(fmt.Sprintf("scripts[%d].scene_number", i), "Scene %d appears twice.", s.SceneNumber)
		}
		seen[s.SceneNumber] = true
	}
	return nil
}

// Validate checks an AddVideo input's numbers (the path is checked by the
// store, which resolves it).
func (in VideoInput) Validate() error {
	if in.SceneNumber == FinalScene {
		return Invalidf("scene_number", "Scene 0 is the final video; it is registered by completing the task.")
	}
	if in.SceneNumber < 1 || in.SceneNumber > MaxScenes {
		return Invalidf("scene_number", "The scene_number must be from 1 to %d, not %d.", MaxScenes, in.SceneNumber)
	}
	return CheckVideoNumbers(nil, in.Duration, in.Width, in.Height, in.FPS)
}

// Validate checks a ClaimRequest: a worker name, a lease of 0 (default) to
// MaxLease and max_attempts of 0 (default) to MaxAttemptsCap.
func (in ClaimRequest) Validate() error {
	if err := ValidText("worker", "worker name", in.Worker, MaxWorkerChars); err != nil {
		return err
	}
	if err := ValidateLease(in.Lease); err != nil {
		return err
	}
	if in.MaxAttempts < 0 || in.MaxAttempts > MaxAttemptsCap {
		return Invalidf("max_attempts", "The max_attempts must be from 0 (default %d) to %d.", DefaultMaxAttempts, MaxAttemptsCap)
	}
	return nil
}

// ValidateLease checks a lease: 0 (the default) to MaxLease.
func ValidateLease(d time.Duration) error {
	if d < 0 || d > MaxLease {
		return Invalidf("lease_seconds", "The lease_seconds must be from 1 to %d.", MaxLeaseSeconds)
	}
	return nil
}

// MaxLeaseSeconds is MaxLease in whole seconds, as the API takes a lease.
const MaxLeaseSeconds = int(MaxLease / time.Second)

// LeaseDuration validates a lease and returns it, or DefaultLease for 0.
// Returns EINVALID (lease_seconds) outside 0 to MaxLease.
func LeaseDuration(d time.Duration) (time.Duration, error) {
	if err := ValidateLease(d); err != nil {
		return 0, err
	}
	if d == 0 {
		return DefaultLease, nil
	}
	return d, nil
}

// LeaseSeconds is LeaseDuration for a lease in whole seconds (0 for the
// default). The bound is checked before the multiplication, so a huge
// number cannot wrap.
func LeaseSeconds(seconds int) (time.Duration, error) {
	if seconds < 0 || seconds > MaxLeaseSeconds {
		return 0, ValidateLease(-1)
	}
	return LeaseDuration(time.Duration(seconds) * time.Second)
}

// Validate checks a TaskFilter's statuses and limit (0 is the default page).
func (f TaskFilter) Validate() error {
	for _, st := range f.Status {
		if !st.Valid() {
			return Invalidf("status", "Unknown status %q; use one of pending, processing, completed, failed, cancelled.", st)
		}
	}
	if f.Limit < 0 || f.Limit > MaxPageSize {
		return Invalidf("limit", "The limit must be from 1 to %d.", MaxPageSize)
	}
	if f.MinRating < 0 || f.MinRating > MaxRating {
		return Invalidf("rating", "The rating filter must be from 1 to %d.", MaxRating)
	}
	if len(f.Tags) > MaxTagsPerTask {
		return Invalidf("tags", "At most %d tags can be filtered on.", MaxTagsPerTask)
	}
	for _, t := range f.Tags {
		if _, err := NormalizeTag(t); err != nil {
			return err
		}
	}
	if f.Collection != "" {
		if _, err := NormalizeCollectionName(f.Collection); err != nil {
			err.(*Error).Field = "collection"
			return err
		}
	}
	return nil
}

// usernameRE accepts letters and digits of any script (李明, Zoë), '_', '.'
// and '-', starting with a letter or digit: easy to type in a CLI and safe
// in a URL path segment.
var usernameRE = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{M}\p{N}_.-]*$`)

// ValidateUsername checks a username: 1 to MaxUsernameLen characters.
// Usernames are unique regardless of letter case.
func ValidateUsername(name string) error {
	if !utf8.ValidString(name) || !usernameRE.MatchString(name) || utf8.RuneCountInString(name) > MaxUsernameLen {
		return Invalidf("username", "The username must be 1 to %d letters, digits, '_', '.' or '-', starting with a letter or digit.", MaxUsernameLen)
	}
	return nil
}

// UsernameKey returns the case-folded form of a username under which it is
// unique: `ALICE` and `alice` share one key.
func UsernameKey(name string) string {
	return strings.ToLower(name)
}

// ValidateQuota checks a quota: 0 to MaxQuota tasks.
func ValidateQuota(q int) error {
	if q < 0 || q > MaxQuota {
		return Invalidf("quota", "The quota must be from 0 to %d, not %d.", MaxQuota, q)
	}
	return nil
}

// ValidateEmail checks an optional email address (empty is allowed).
func ValidateEmail(email string) error {
	if email == "" {
		return nil
	}
	if !utf8.ValidString(email) || len(email) > MaxEmailLen {
		return Invalidf("email", "The email address is not valid.")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return Invalidf("email", "The email address %q is not valid.", email)
	}
	return nil
}

// Validate checks a UserCreate: username, email and quota (nil is
// DefaultQuota).
func (in UserCreate) Validate() error {
	if err := ValidateUsername(in.Username); err != nil {
		return err
	}
	if err := ValidateEmail(in.Email); err != nil {
		return err
	}
	if in.Quota != nil {
		return ValidateQuota(*in.Quota)
	}
	return nil
}
