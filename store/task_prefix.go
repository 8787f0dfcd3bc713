package store

import (
	"context"
	"fmt"

	"github.com/reelvault/reelvault/domain"
)

// MinTaskIDPrefix is the shortest task ID prefix FindTaskIDsByPrefix takes.
const MinTaskIDPrefix = 6

// FindTaskIDsByPrefix returns up to limit task IDs (1–100) that start with
// prefix, in order, among the tasks the actor may see, so a person may type
// the first characters of an ID. Returns EINVALID for a prefix shorter than
// MinTaskIDPrefix. The comparison is on the characters themselves
// (substr), so it means the same on both engines whatever their collation.
func (s *TaskService) FindTaskIDsByPrefix(ctx context.Context, prefix string, limit int) ([]string, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	if len(prefix) < MinTaskIDPrefix {
		return nil, domain.Invalidf("id", "A task ID prefix needs at least %d characters.", MinTaskIDPrefix)
	}
	if len(prefix) > 200 {
		return nil, domain.Invalidf("id", "A task ID is at most 200 characters.")
	}
	limit = max(1, min(limit, 100))
	q := `
		SELECT task_id
		FROM tasks
		WHERE substr(task_id, 1, ?) = ?`
	args := []any{len(prefix), prefix}
	if !a.Owner {
		q += ` AND user_id = ` + numParam
		args = append(args, a.UserID)
	}
	q += ` ORDER BY task_id LIMIT ` + limitParam
	args = append(args, limit)
	var ids []string
	err = s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&ids, q, args...)
	})
	if err != nil {
		return nil, fmt.Errorf("find task ids: %w", err)
	}
	return ids, nil
}
