package store

import (
	"context"
	"fmt"
	"sort"
)

// Settings stores named text settings (the maintenance schedule, retention).
// Callers check the actor: settings are the owner's.
type Settings struct {
	db *DB
}

// NewSettings returns the settings of db.
func NewSettings(db *DB) *Settings {
	return &Settings{db: db}
}

// All returns every stored setting by key.
func (s *Settings) All(ctx context.Context) (map[string]string, error) {
	var rows []struct {
		Key   string `db:"key"`
		Value string `db:"value"`
	}
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&rows, `
			SELECT
				key,
				value
			FROM settings`)
	})
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Key] = r.Value
	}
	return out, nil
}

// Set stores values (key → value) in one transaction; other keys are kept.
func (s *Settings) Set(ctx context.Context, values map[string]string) error {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	err := s.db.write(ctx, func(tx *tx) error {
		for _, k := range keys {
			if err := putSetting(tx, k, values[k]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write settings: %w", err)
	}
	return nil
}

// putSetting stores one setting in tx.
func putSetting(tx *tx, key, value string) error {
	_, err := tx.exec(`
		INSERT INTO settings (
			key,
			value,
			updated_at
		) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET
			value = excluded.value,
			updated_at = excluded.updated_at`,
		key, value, micros(tx.now))
	return err
}
