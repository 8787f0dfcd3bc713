package domain

import (
	"context"
	"time"
)

// APIKeyPrefix starts every API key.
const APIKeyPrefix = "rv_"

// DefaultQuota is a new user's quota when none is given.
const DefaultQuota = 100

// User is someone whose pipeline writes tasks through an API key.
type User struct {
	ID        int64     `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email,omitempty"`
	KeyPrefix string    `json:"key_prefix"` // first characters of the key, for display
	Quota     int       `json:"quota"`
	UsedQuota int       `json:"used_quota"`
	IsActive  bool      `json:"is_active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UserCreate is the input of CreateUser.
type UserCreate struct {
	Username string `json:"username"`
	Email    string `json:"email,omitempty"`
	Quota    *int   `json:"quota,omitempty"` // default DefaultQuota
}

// UserList is a listing of users, the same over HTTP and in the window.
type UserList struct {
	Users []*User `json:"users"` // never null
}

// NewUserList returns the listing of users (an empty one for none).
func NewUserList(users []*User) *UserList { return &UserList{Users: nonNil(users)} }

// nonNil returns s, or an empty slice for nil, so a listing is never null
// in JSON.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// UserWithKey is a user together with its new API key, which is shown once.
type UserWithKey struct {
	User   *User  `json:"user"`
	APIKey string `json:"api_key"`
}

// UserService manages users and their API keys. All methods but
// Authenticate and FindUserByID (for the user itself) are owner only
// (EFORBIDDEN otherwise).
type UserService interface {
	// CreateUser creates a user and returns it with its new API key, which is
	// shown once and stored only as a hash. Returns EINVALID, ECONFLICT.
	CreateUser(ctx context.Context, in UserCreate) (*User, string, error)

	// FindUsers lists all users by name.
	FindUsers(ctx context.Context) ([]*User, error)

	// FindUserByName returns one user. Returns ENOTFOUND.
	FindUserByName(ctx context.Context, username string) (*User, error)

	// FindUserByID returns one user. Returns ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)

	// RotateKey replaces a user's API key; the old one stops working at once.
	// Returns ENOTFOUND.
	RotateKey(ctx context.Context, username string) (*User, string, error)

	// SetActive activates or deactivates a user. Returns ENOTFOUND.
	SetActive(ctx context.Context, username string, active bool) (*User, error)

	// SetQuota sets a user's quota. Returns EINVALID, ENOTFOUND.
	SetQuota(ctx context.Context, username string, quota int) (*User, error)

	// Authenticate returns the active user holding key. Needs no actor.
	// Returns EUNAUTHORIZED (unknown key) or EFORBIDDEN (inactive user).
	Authenticate(ctx context.Context, key string) (*User, error)
}
