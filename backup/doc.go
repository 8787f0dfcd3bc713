// Package backup keeps a Reelvault database safe: verified online backups,
// restores that swap the data in under a live process (and can be undone),
// retention, and the scheduled maintenance that runs them.
//
// # Backup files
//
// A backup is a plain SQLite database compressed with zstd. Nothing else is
// added, so a user needs no Reelvault to read one:
//
//	zstd -d reelvault-20261126T030000Z-scheduled.db.zst -o copy.db
//	sqlite3 copy.db 'SELECT count(*) FROM tasks'
//
// Every file is written to a temporary name, fsynced, verified (integrity
// check, application_id, schema version), compressed, fsynced again and only
// then renamed into place, so a backup that is listed is a backup that
// restores. The catalogue (catalog.json beside the files) is a convenience:
// when it is lost it is rebuilt from the files themselves.
//
// # Restore
//
// A restore first proves the file good on a private copy next to the live
// database, takes a pre-restore backup of the current data, then swaps the
// copy in with one atomic rename while the store is paused (store.DB.Exclusive).
// A crash at any moment leaves either the old or the new file whole. A small
// journal in the backups folder names the pre-restore backup, so Undo works
// across restarts.
package backup
