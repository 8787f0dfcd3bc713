package domain

import "context"

// The media rule: which files may be registered and streamed as videos.
//
// A user's API key may register and stream only regular video files that
// lie, after every symbolic link is resolved, under a media root: the data
// directory's MediaFolder (always a root) or a folder the owner added. A
// path outside them, missing, or not a regular video file is refused with
// one answer that says nothing about the path. The owner may register any
// path and stream any registered regular video file outside the data
// directory. Nobody is ever served a file of the data directory outside its
// MediaFolder. Every decision is made on the file as opened.
const (
	// MediaFolder is the folder of the data directory that is always a media root.
	MediaFolder = "media"
	// MaxMediaRoots bounds the folders the owner may add.
	MaxMediaRoots = 100
)

// MediaRoots are the folders under which users' API keys may register and
// stream video files.
type MediaRoots struct {
	// Default is the data directory's media folder, always a root; empty
	// when the store has no data directory.
	Default string `json:"default,omitempty"`
	// Roots are the folders the owner added, in the order added.
	Roots []string `json:"roots"`
}

// MediaService manages the media roots. Every method is owner only
// (EFORBIDDEN for a user, EUNAUTHORIZED without an actor).
type MediaService interface {
	// MediaRoots returns the media roots.
	MediaRoots(ctx context.Context) (*MediaRoots, error)

	// AddMediaRoot adds an existing folder, named by an absolute path;
	// adding a root that is already there changes nothing. Returns
	// EINVALID (field "path").
	AddMediaRoot(ctx context.Context, dir string) (*MediaRoots, error)

	// RemoveMediaRoot removes a folder the owner added. Returns ENOTFOUND,
	// EINVALID for the default root.
	RemoveMediaRoot(ctx context.Context, dir string) (*MediaRoots, error)
}
