package backup

import "context"

// isDump reports whether path is a logical dump (a PostgreSQL backup set).
func isDump(path string) bool { return false }

func (m *Manager) openDumpSet(ctx context.Context, set *openedSet, dir string) error { return nil }
