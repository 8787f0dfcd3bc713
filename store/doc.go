// Package store implements Reelvault's domain services on SQLite.
//
// A DB owns two connection pools on one database file: a writer pool of a
// single connection whose transactions begin IMMEDIATE, so writers queue in
// the process instead of failing with "database is locked", and a reader pool
// that runs in parallel thanks to WAL. Every pragma is part of the DSN, so
// every pooled connection gets it.
//
// Timestamps are stored as INTEGER microseconds since the Unix epoch, UTC.
// They sort correctly, compare cheaply in indexes and port unchanged to a
// PostgreSQL BIGINT column; the store converts them to time.Time.
//
// Schema migrations are SQL files embedded from migrations/ and applied by
// goose, each in its own transaction together with its version bump.
// PostgreSQL migrations go under migrations/postgres with the same version
// numbers.
package store
