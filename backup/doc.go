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
// # Backup sets with media
//
// A manual or scheduled backup into a destination is a set: the database
// file above plus the video files the database references (every
// videos.file_path and tasks.final_video_path of the copy, so the set's rows
// and files agree). "--db-only" (Options.DBOnly), pre-migration and
// pre-restore backups and backups to --out are the database file alone. A
// destination folder holds:
//
//	reelvault-<time>-<kind>.db.zst[.age]   the database (see above)
//	reelvault-<time>-<kind>.media.json     the set's media list, if it has files
//	objects/ab/abcdef…                     each file once, named by its SHA-256
//	catalog.json                           the verified sets (rebuilt when lost)
//	reelvault-destination.json             marker of an added destination
//	hashcache.json                         local folder only: path+size+mtime → SHA-256
//
// The media list is JSON: {"version":1, "set": <database file name>,
// "objects": [sorted SHA-256 of every file], "files": [{"path", "sha256",
// "size", "mtime_ns"}], "media": domain.BackupMedia}. Objects are shared by
// all the sets of a destination: a backup stores only content that is not
// there yet, and skips reading the files whose path, size and mtime match
// the hash cache. A file that is missing, outside the media roots, inside
// the data folder (outside its media folder) or not a regular file is left
// out and named in the set's media summary (Skipped), never fatal. Files
// are opened first and judged on what was opened (store/safefile).
//
// A new object is written to objects/.tmp-*, fsynced, dropped from the page
// cache, read back and hashed again; only a matching object is renamed to
// its name. The media list is written (atomically) after every object, and
// the database file is renamed into place last: a set that is found is a
// set whose files are all stored and verified, and a backup killed at any
// moment leaves at most unreferenced objects, which the next backup reuses
// and retention removes. Objects already in the store are checked by size
// at backup time; Manager.Verify hashes every object of a set again.
// Retention removes a pruned set's database file and media list, then every
// object that no remaining set's media list names; it stops if any list
// cannot be read.
//
// # Destinations and encryption
//
// Besides the local backups folder, the owner adds destination folders
// (stored in the setting "backup.destinations"), each with its own cron
// schedule (job ID "backup@NAME") and retention. Adding one writes
// reelvault-destination.json into it; a folder that is missing or lacks it
// is unplugged (an empty mount point): nothing is written there, a scheduled
// run is recorded as skipped and tried again at its next time. An encrypted
// destination has an age X25519 key pair: the database file, objects and the
// media list's "files" ("files_age") are encrypted to its public key, and
// the private key is kept in the marker encrypted with the owner's
// passphrase (age scrypt). The "objects" list stays plain so retention works
// without the passphrase. Object names are the SHA-256 of the plain content.
//
// # Restore
//
// A restore first proves the file good on a private copy next to the live
// database, takes a pre-restore backup of the current data, then swaps the
// copy in with one atomic rename while the store is paused (store.DB.Exclusive).
// A crash at any moment leaves either the old or the new file whole. A small
// journal in the backups folder names the pre-restore backup, so Undo works
// across restarts.
//
// A set with files puts back every file that is missing or differs, at its
// path or under a folder the owner picks (the restored database is re-linked
// there). Before the swap, each file is copied from its object to a hidden
// name beside its place and its hash proven; a second journal
// (restore-files.json) names them, and the staged database file. Right after
// the swap each file is renamed into place, a different file found there
// being renamed aside (name.before-restore-<time>.ext), never overwritten.
// A restore killed on the way is settled by the next backup command or
// start: while the staged database exists the swap never happened and the
// staged files are removed; once it is gone the files are put in place.
package backup
