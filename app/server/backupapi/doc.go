// Package backupapi holds the end-to-end tests of the backup, restore,
// export, import and schedule routes: the HTTP server over the real backup
// service (backup.Service) and the store's export service, on a SQLite file.
// The server itself depends on neither; it sees domain.BackupService and
// domain.ExportService.
package backupapi
