package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/reelvault/reelvault/domain"
	sqlite3 "modernc.org/sqlite/lib"
)

// KeyPrefixLen is how many leading characters of an API key are kept for
// display.
const KeyPrefixLen = 10

// UserService implements domain.UserService on a DB.
type UserService struct {
	db *DB
}

var _ domain.UserService = (*UserService)(nil)

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService {
	return &UserService{db: db}
}

// userRow is a users row as stored.
type userRow struct {
	ID         int64   `db:"id"`
	Username   string  `db:"username"`
	Email      *string `db:"email"`
	APIKeyHash string  `db:"api_key_hash"`
	KeyPrefix  string  `db:"key_prefix"`
	Quota      int     `db:"quota"`
	UsedQuota  int     `db:"used_quota"`
	IsActive   bool    `db:"is_active"`
	CreatedAt  int64   `db:"created_at"`
	UpdatedAt  int64   `db:"updated_at"`
}

func (r *userRow) domain() *domain.User {
	u := &domain.User{
		ID:        r.ID,
		Username:  r.Username,
		KeyPrefix: r.KeyPrefix,
		Quota:     r.Quota,
		UsedQuota: r.UsedQuota,
		IsActive:  r.IsActive,
		CreatedAt: fromMicros(r.CreatedAt),
		UpdatedAt: fromMicros(r.UpdatedAt),
	}
	if r.Email != nil {
		u.Email = *r.Email
	}
	return u
}

const userColumns = `
	id,
	username,
	email,
	api_key_hash,
	key_prefix,
	quota,
	used_quota,
	is_active,
	created_at,
	updated_at`

// CreateUser creates a user and returns it with its new API key, shown once.
func (s *UserService) CreateUser(ctx context.Context, in domain.UserCreate) (*domain.User, string, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	var email *string
	if in.Email != "" {
		email = &in.Email
	}
	quota := domain.DefaultQuota
	if in.Quota != nil {
		quota = *in.Quota
	}
	key, hash, prefix, err := newAPIKey()
	if err != nil {
		return nil, "", err
	}

	var u *domain.User
	err = s.db.write(ctx, func(tx *tx) error {
		now := micros(tx.now)
		if taken, err := usernameTaken(tx, in.Username); err != nil {
			return err
		} else if taken == in.Username {
			return domain.Errorf(domain.ECONFLICT, "The username %s is already taken.", in.Username)
		} else if taken != "" {
			return domain.Errorf(domain.ECONFLICT, "The username %s is already taken by user %s (usernames are unique regardless of letter case).", in.Username, taken)
		}
		res, err := tx.exec(`
			INSERT INTO users (
				username,
				username_key,
				email,
				api_key_hash,
				key_prefix,
				quota,
				created_at,
				updated_at
			) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			in.Username, domain.UsernameKey(in.Username), email, hash, prefix, quota, now, now)
		if sqliteCode(err) == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			if uniqueColumn(err) == "users.email" {
				return domain.Errorf(domain.ECONFLICT, "The email address %s is already used by another user.", in.Email)
			}
			return domain.Errorf(domain.ECONFLICT, "The username %s is already taken.", in.Username)
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		u, err = findUser(tx, "id", id)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return u, key, nil
}

// newAPIKey returns a new key ("rv_" and 32 random bytes, base64url), the hex
// SHA-256 hash that is stored, and the display prefix.
func newAPIKey() (key, hash, prefix string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", "", fmt.Errorf("generate api key: %w", err)
	}
	key = domain.APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, hashKey(key), key[:KeyPrefixLen], nil
}

// hashKey returns the hex SHA-256 of key.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// usernameTaken returns the existing username that equals name regardless
// of letter case, or "".
func usernameTaken(tx *tx, name string) (string, error) {
	var taken []string
	if err := tx.sel(&taken, `SELECT username FROM users WHERE username_key = ?`, domain.UsernameKey(name)); err != nil {
		return "", fmt.Errorf("find username: %w", err)
	}
	if len(taken) == 0 {
		return "", nil
	}
	return taken[0], nil
}

// findUser returns the user whose column by ("id" or "username") equals v.
func findUser(tx *tx, by string, v any) (*domain.User, error) {
	r, err := findUserRow(tx, by, v)
	if err != nil {
		return nil, err
	}
	return r.domain(), nil
}

func findUserRow(tx *tx, by string, v any) (*userRow, error) {
	var r userRow
	var err error
	switch by {
	case "id":
		err = tx.get(&r, `SELECT`+userColumns+` FROM users WHERE id = ?`, v)
	case "username":
		err = tx.get(&r, `SELECT`+userColumns+` FROM users WHERE username = ?`, v)
	default:
		panic("findUser by " + by)
	}
	if isNoRows(err) {
		return nil, domain.Errorf(domain.ENOTFOUND, "User %v not found.", v)
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return &r, nil
}

// FindUsers lists all users by name.
func (s *UserService) FindUsers(ctx context.Context) ([]*domain.User, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	var rows []*userRow
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&rows, `SELECT`+userColumns+` FROM users ORDER BY username`)
	})
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	users := make([]*domain.User, len(rows))
	for i, r := range rows {
		users[i] = r.domain()
	}
	return users, nil
}

// FindUserByName returns one user. Owner only.
func (s *UserService) FindUserByName(ctx context.Context, username string) (*domain.User, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	var u *domain.User
	err := s.db.read(ctx, false, func(tx *tx) (err error) {
		u, err = findUser(tx, "username", username)
		return err
	})
	return u, err
}

// FindUserByID returns one user, to the owner or to the user itself.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*domain.User, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Owner && a.UserID != id {
		return nil, domain.Errorf(domain.EFORBIDDEN, "You can only look up your own user.")
	}
	var u *domain.User
	err = s.db.read(ctx, false, func(tx *tx) (err error) {
		u, err = findUser(tx, "id", id)
		return err
	})
	return u, err
}

// RotateKey replaces a user's API key; the old one stops working at once.
func (s *UserService) RotateKey(ctx context.Context, username string) (*domain.User, string, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, "", err
	}
	key, hash, prefix, err := newAPIKey()
	if err != nil {
		return nil, "", err
	}
	u, err := s.update(ctx, username, `api_key_hash = ?, key_prefix = ?`, hash, prefix)
	if err != nil {
		return nil, "", err
	}
	return u, key, nil
}

// SetActive activates or deactivates a user; a deactivated user's key stops
// working at once.
func (s *UserService) SetActive(ctx context.Context, username string, active bool) (*domain.User, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	return s.update(ctx, username, `is_active = ?`, active)
}

// SetQuota sets a user's quota.
func (s *UserService) SetQuota(ctx context.Context, username string, quota int) (*domain.User, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	if err := domain.ValidateQuota(quota); err != nil {
		return nil, err
	}
	return s.update(ctx, username, `quota = ?`, quota)
}

// update sets columns (a fixed SQL fragment with placeholders) of one user.
func (s *UserService) update(ctx context.Context, username, set string, args ...any) (*domain.User, error) {
	var u *domain.User
	err := s.db.write(ctx, func(tx *tx) error {
		args := append(slices.Clone(args), micros(tx.now), username)
		res, err := tx.exec(`UPDATE users SET `+set+`, updated_at = ? WHERE username = ?`, args...)
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return domain.Errorf(domain.ENOTFOUND, "User %s not found.", username)
		}
		u, err = findUser(tx, "username", username)
		return err
	})
	return u, err
}

// Authenticate returns the active user holding key. It needs no actor.
func (s *UserService) Authenticate(ctx context.Context, key string) (*domain.User, error) {
	unknown := domain.Errorf(domain.EUNAUTHORIZED, "The API key is not valid.")
	if !strings.HasPrefix(key, domain.APIKeyPrefix) || len(key) > 128 {
		return nil, unknown
	}
	hash := hashKey(key)
	var r userRow
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.get(&r, `SELECT`+userColumns+` FROM users WHERE api_key_hash = ?`, hash)
	})
	if isNoRows(err) {
		return nil, unknown
	} else if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	// The lookup was by hash; compare again in constant time so that the
	// decision itself never depends on how many characters matched.
	if subtle.ConstantTimeCompare([]byte(r.APIKeyHash), []byte(hash)) != 1 {
		return nil, unknown
	}
	if !r.IsActive {
		return nil, domain.Errorf(domain.EFORBIDDEN, "The user %s is deactivated.", r.Username)
	}
	return r.domain(), nil
}
