package domain

import "time"

// Script is the script of one scene of a task.
type Script struct {
	ID             int64     `json:"id"`
	TaskID         string    `json:"task_id"`
	SceneNumber    int       `json:"scene_number"` // 1-based, unique per task
	Description    string    `json:"description"`
	Duration       float64   `json:"duration"` // seconds, ≥ 0
	CameraMovement string    `json:"camera_movement,omitempty"`
	Lighting       string    `json:"lighting,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// ScriptInput is one scene of SetScripts.
type ScriptInput struct {
	SceneNumber    int     `json:"scene_number"`
	Description    string  `json:"description"`
	Duration       float64 `json:"duration"`
	CameraMovement string  `json:"camera_movement,omitempty"`
	Lighting       string  `json:"lighting,omitempty"`
}

// FinalScene is the scene number under which a task's final video is
// registered in the videos table when the task completes.
const FinalScene = 0

// Video is one registered video file: a scene's clip, or (scene 0) the final video.
type Video struct {
	ID          int64     `json:"id"`
	TaskID      string    `json:"task_id"`
	SceneNumber int       `json:"scene_number"`
	FilePath    string    `json:"file_path"`
	FileSize    *int64    `json:"file_size,omitempty"` // bytes, read from the file when it exists
	Duration    *float64  `json:"duration,omitempty"`  // seconds
	Width       *int      `json:"width,omitempty"`
	Height      *int      `json:"height,omitempty"`
	FPS         *float64  `json:"fps,omitempty"`
	Status      string    `json:"status"` // "completed"
	CreatedAt   time.Time `json:"created_at"`

	// Missing is true when the file is no longer on disk (checked on read).
	Missing bool `json:"missing,omitempty"`

	// The facts read from the file itself (see VideoFacts).
	VideoFacts
}

// VideoInput is the input of AddVideo.
type VideoInput struct {
	SceneNumber int      `json:"scene_number"`
	FilePath    string   `json:"file_path"`
	Duration    *float64 `json:"duration,omitempty"`
	Width       *int     `json:"width,omitempty"`
	Height      *int     `json:"height,omitempty"`
	FPS         *float64 `json:"fps,omitempty"`
}
