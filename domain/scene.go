package domain

import "time"

// Script is the script of one scene of a task.
type Script struct {
	ID             int64     `db:"id" json:"id"`
	TaskID         string    `db:"task_id" json:"task_id"`
	SceneNumber    int       `db:"scene_number" json:"scene_number"` // 1-based, unique per task
	Description    string    `db:"description" json:"description"`
	Duration       float64   `db:"duration" json:"duration"` // seconds, ≥ 0
	CameraMovement string    `db:"camera_movement" json:"camera_movement,omitempty"`
	Lighting       string    `db:"lighting" json:"lighting,omitempty"`
	CreatedAt      time.Time `db:"created_at" json:"created_at"`
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
	ID          int64     `db:"id" json:"id"`
	TaskID      string    `db:"task_id" json:"task_id"`
	SceneNumber int       `db:"scene_number" json:"scene_number"`
	FilePath    string    `db:"file_path" json:"file_path"`
	FileSize    *int64    `db:"file_size" json:"file_size,omitempty"` // bytes, read from the file when it exists
	Duration    *float64  `db:"duration" json:"duration,omitempty"`   // seconds
	Width       *int      `db:"width" json:"width,omitempty"`
	Height      *int      `db:"height" json:"height,omitempty"`
	FPS         *float64  `db:"fps" json:"fps,omitempty"`
	Status      string    `db:"status" json:"status"` // "completed"
	CreatedAt   time.Time `db:"created_at" json:"created_at"`

	// Missing is true when the file is no longer on disk (checked on read).
	Missing bool `db:"-" json:"missing,omitempty"`
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
