package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/klauspost/compress/zstd"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// A backup of a PostgreSQL store is a logical dump made with the driver
// (COPY), not pg_dump: a plain tar file that anyone can open,
//
//	tables/users.copy.zst   … one member per table, parents first: the
//	tables/tasks.copy.zst     table's rows in COPY text format, zstd
//	…
//	manifest.json           format, schema version, and per table its
//	                        columns, row count and the SHA-256 of its text
//
// so that `tar -xf SET; zstd -d tables/tasks.copy.zst` and psql's \copy
// read it without Reelvault. The rows are read in one REPEATABLE READ
// snapshot (store.DumpPostgres). Each table is compressed to a temporary
// file while its checksum and rows are counted, the tar is written and
// fsynced, and then read back whole and checked against the manifest
// before it is renamed into place and listed, as SQLite backups are.

// Dump document identity.
const (
	dumpFormat       = "reelvault-pgdump"
	dumpVersion      = 1
	dumpManifestName = "manifest.json"
	dumpExt          = ".pg.tar"
)

// dumpManifest is manifest.json.
type dumpManifest struct {
	Format        string             `json:"format"`
	Version       int                `json:"version"`
	Engine        string             `json:"engine"`
	SchemaVersion int64              `json:"schema_version"`
	CreatedAt     time.Time          `json:"created_at"`
	Tables        []*store.DumpTable `json:"tables"`
}

// rows returns the row counts by table.
func (d *dumpManifest) rows() map[string]int64 {
	out := make(map[string]int64, len(d.Tables))
	for _, t := range d.Tables {
		out[t.Name] = t.Rows
	}
	return out
}

// dumpName returns the file name of a dump of kind taken at t.
func dumpName(t time.Time, kind domain.BackupKind) string {
	return fmt.Sprintf("reelvault-%s-%s%s", t.UTC().Format(nameTime), kind, dumpExt)
}

// isDump reports whether the file at path is a tar file (a dump).
func isDump(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	hdr := make([]byte, 512)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return false
	}
	return bytes.Equal(hdr[257:262], []byte("ustar"))
}

// engineOf names the engine a backup set was taken from.
func engineOf(path string) string {
	if isDump(path) {
		return store.EnginePostgres
	}
	return store.EngineSQLite
}

// memberName is the tar member of table.
func memberName(table string) string { return "tables/" + table + ".copy.zst" }

// takeDump writes a verified dump of the live PostgreSQL database; the
// caller holds the operation lock.
func (m *Manager) takeDump(ctx context.Context, opts Options) (*domain.Backup, error) {
	now := m.now()
	dir, final := m.Dir, ""
	if opts.Out != "" {
		abs, err := filepath.Abs(opts.Out)
		if err != nil {
			return nil, domain.Invalidf("out", "Output path %q is not usable: %v.", opts.Out, err)
		}
		if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
			abs = filepath.Join(abs, dumpName(now, opts.Kind))
		}
		dir, final = filepath.Dir(abs), abs
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, unwritable(dir, err)
	}
	if final == "" {
		final = uniquePath(dir, dumpName(now, opts.Kind))
		removeStaleTemps(dir)
	}
	tmp := filepath.Join(dir, ".tmp-"+randomHex()+dumpExt)
	var parts []string
	defer func() { removeAll(append(parts, tmp)...) }()
	progress := func(p domain.BackupProgress) {
		if opts.Progress != nil {
			opts.Progress(p)
		}
		m.notify(domain.Notification{Type: "backup_progress", Progress: percent(p), Data: p})
	}

	man := &dumpManifest{Format: dumpFormat, Version: dumpVersion, Engine: store.EnginePostgres, CreatedAt: now.UTC()}
	version, err := store.DumpPostgres(ctx, m.DB, func(t *store.DumpTable, copyTo func(io.Writer) (int64, error)) error {
		part := tmp + "." + t.Name + ".zst"
		parts = append(parts, part)
		f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return unwritable(dir, err)
		}
		defer f.Close()
		enc, err := zstd.NewWriter(f, zstd.WithEncoderConcurrency(2))
		if err != nil {
			return err
		}
		h, lines := sha256.New(), &lineCounter{}
		n, err := copyTo(io.MultiWriter(enc, h, lines))
		if err != nil {
			enc.Close()
			return err
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("compress %s: %w", t.Name, err)
		}
		if err := f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", t.Name, err)
		}
		if n != t.Rows || lines.n != t.Rows {
			return fmt.Errorf("dump %s: %d rows counted, %d copied, %d lines", t.Name, t.Rows, n, lines.n)
		}
		t.SHA256 = hex.EncodeToString(h.Sum(nil))
		man.Tables = append(man.Tables, t)
		progress(domain.BackupProgress{Phase: "copy", Done: int64(len(man.Tables)), Total: int64(len(store.DumpTables))})
		return f.Close()
	})
	if err != nil {
		return nil, err
	}
	man.SchemaVersion = version
	if err := writeDumpTar(tmp, parts, man); err != nil {
		return nil, err
	}
	progress(domain.BackupProgress{Phase: "verify"})
	if _, err := m.verifyDump(ctx, tmp, "the new backup"); err != nil {
		return nil, fmt.Errorf("verify new backup: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("rename backup into place: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	fi, err := os.Stat(final)
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(final)
	if err != nil {
		return nil, err
	}
	b := &domain.Backup{
		Name:          filepath.Base(final),
		Kind:          opts.Kind,
		CreatedAt:     now.UTC(),
		Size:          fi.Size(),
		SHA256:        sum,
		SchemaVersion: version,
		Rows:          man.rows(),
		VerifiedAt:    m.now().UTC(),
	}
	if opts.Out == "" {
		if err := m.addToCatalog(b); err != nil {
			return nil, err
		}
	}
	b.Path = final
	m.notify(domain.Notification{Type: "backup_progress", Progress: 100, Data: b})
	return b, nil
}

// writeDumpTar packs the compressed tables and the manifest into path and
// fsyncs it.
func writeDumpTar(path string, parts []string, man *dumpManifest) (err error) {
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create backup: %w", err)
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	tw := tar.NewWriter(out)
	for i, part := range parts {
		f, err := os.Open(part)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		hdr := &tar.Header{Name: memberName(man.Tables[i].Name), Mode: 0o600, Size: fi.Size(), ModTime: man.CreatedAt, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			f.Close()
			return fmt.Errorf("write backup: %w", err)
		}
		_, err = io.Copy(tw, f)
		f.Close()
		if err != nil {
			return fmt.Errorf("write backup: %w", err)
		}
	}
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: dumpManifestName, Mode: 0o600, Size: int64(len(data)), ModTime: man.CreatedAt, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if _, err := tw.Write(data); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write backup: %w", err)
	}
	return out.Sync()
}

// lineCounter counts newlines: one per row of COPY text, whose values
// escape their own newlines.
type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// readDumpManifest finds and decodes the manifest of the dump at path.
func readDumpManifest(path, name string) (*dumpManifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, domain.Invalidf("file", "%s has no manifest; it is not a whole Reelvault PostgreSQL backup.", name)
		} else if err != nil {
			return nil, domain.Invalidf("file", "%s is damaged: %v.", name, err)
		}
		if hdr.Name != dumpManifestName {
			continue
		}
		if hdr.Size > 1<<20 {
			return nil, domain.Invalidf("file", "%s has a manifest of %d bytes, more than any Reelvault writes.", name, hdr.Size)
		}
		var man dumpManifest
		dec := json.NewDecoder(tr)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&man); err != nil {
			return nil, domain.Invalidf("file", "%s has a damaged manifest: %v.", name, err)
		}
		if man.Format != dumpFormat || man.Version != dumpVersion {
			return nil, domain.Invalidf("file", "%s is not a Reelvault PostgreSQL backup this version reads (format %q, version %d).", name, man.Format, man.Version)
		}
		if latest := store.LatestSchemaVersion(); man.SchemaVersion > latest || man.SchemaVersion < 1 {
			return nil, domain.Invalidf("file", "%s has schema version %d, which this Reelvault (up to %d) cannot restore; upgrade Reelvault to restore it.", name, man.SchemaVersion, latest)
		}
		if len(man.Tables) == 0 || len(man.Tables) > 64 {
			return nil, domain.Invalidf("file", "%s lists %d tables.", name, len(man.Tables))
		}
		return &man, nil
	}
}

// verifyDump reads the whole dump at path and checks every table against
// the manifest: present, decompressing, the row count and the checksum of
// its text. A flipped bit anywhere fails one of them.
func (m *Manager) verifyDump(ctx context.Context, path, name string) (*dumpManifest, error) {
	man, err := readDumpManifest(path, name)
	if err != nil {
		return nil, err
	}
	want := map[string]*store.DumpTable{}
	for _, t := range man.Tables {
		want[memberName(t.Name)] = t
	}
	seen := 0
	err = eachMember(ctx, path, name, func(member string, r io.Reader) error {
		t := want[member]
		if t == nil {
			return nil
		}
		h, lines := sha256.New(), &lineCounter{}
		if _, err := io.Copy(io.MultiWriter(h, lines), &ctxReader{ctx: ctx, r: r}); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return domain.Invalidf("file", "%s: table %s cannot be decompressed (damaged): %v.", name, t.Name, err)
		}
		if lines.n != t.Rows {
			return domain.Invalidf("file", "%s: table %s holds %d rows, but the manifest counts %d.", name, t.Name, lines.n, t.Rows)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); sum != t.SHA256 {
			return domain.Invalidf("file", "%s: table %s does not match its checksum; the backup is damaged.", name, t.Name)
		}
		seen++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if seen != len(man.Tables) {
		return nil, domain.Invalidf("file", "%s holds %d of the %d tables its manifest lists.", name, seen, len(man.Tables))
	}
	return man, nil
}

// eachMember calls fn with each table member of the dump, decompressed.
func eachMember(ctx context.Context, path, name string, fn func(member string, r io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return domain.Invalidf("file", "%s is damaged: %v.", name, err)
		}
		if !strings.HasPrefix(hdr.Name, "tables/") {
			continue
		}
		dec, err := zstd.NewReader(tr, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
		if err != nil {
			return err
		}
		err = fn(hdr.Name, dec)
		dec.Close()
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// loadDump loads the verified dump at path into db (which must be at the
// dump's schema version), in one transaction.
func loadDump(ctx context.Context, db *store.DB, path, name string, man *dumpManifest) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	return store.LoadPostgres(ctx, db, man.SchemaVersion, man.Tables, func(t *store.DumpTable) (io.ReadCloser, error) {
		for {
			hdr, err := tr.Next()
			if err != nil {
				return nil, domain.Invalidf("file", "%s has no table %s where its manifest says: %v.", name, t.Name, err)
			}
			if hdr.Name != memberName(t.Name) {
				continue
			}
			dec, err := zstd.NewReader(tr, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
			if err != nil {
				return nil, err
			}
			return dec.IOReadCloser(), nil
		}
	})
}

// scratchPrefix starts the names of the scratch schemas sets are loaded
// into; a crash may leave one, which the next load removes.
const scratchPrefix = "reelvault_scratch_"

// openDumpSet loads a dump into a scratch schema of the live PostgreSQL
// database, at the dump's schema version, then upgrades it: the set's rows
// are proven loadable (every table, every row count, every checksum) and
// readable by this version, and the scratch store serves the preview, the
// restore of chosen tasks and drills. Close drops the schema.
func (m *Manager) openDumpSet(ctx context.Context, set *openedSet, dir string) error {
	if m.DB.Engine() != store.EnginePostgres {
		return domain.Invalidf("file", "%s is a backup of a PostgreSQL database; it restores into a Reelvault that uses PostgreSQL (--db).", set.Name)
	}
	man, err := m.verifyDump(ctx, set.Path, set.Name)
	if err != nil {
		return err
	}
	schema := scratchPrefix + randomHex()
	if err := m.DB.Write(ctx, func(w *sqlx.DB) error {
		_, err := w.ExecContext(ctx, `CREATE SCHEMA `+schema)
		return err
	}); err != nil {
		return fmt.Errorf("create a scratch schema: %w", err)
	}
	removeDir := set.close
	set.close = func() {
		if set.DB != nil {
			set.DB.Close()
		}
		m.dropSchema(schema)
		removeDir()
	}
	u, err := url.Parse(m.DB.Path)
	if err != nil {
		return fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	// The scratch schema comes first, so the set's tables are created and
	// read there; the database's own path follows, for extensions such as
	// pg_trgm that live in it.
	rest := q.Get("search_path")
	if rest == "" {
		rest = "public"
	}
	q.Set("search_path", schema+","+rest)
	u.RawQuery = q.Encode()
	db := store.NewDB(u.String())
	db.Logger = m.Logger
	db.WatchInterval = 0
	db.SchemaTarget = man.SchemaVersion
	if err := db.Open(ctx); err != nil {
		return fmt.Errorf("open a scratch schema: %w", err)
	}
	set.DB = db
	if err := loadDump(ctx, db, set.Path, set.Name, man); err != nil {
		return err
	}
	if err := db.Upgrade(ctx); err != nil {
		return fmt.Errorf("upgrade %s: %w", set.Name, err)
	}
	set.Info = &FileInfo{SchemaVersion: man.SchemaVersion, Rows: man.rows()}
	set.Schema = schema
	return nil
}

// dropSchema removes a scratch schema, logging a failure.
func (m *Manager) dropSchema(schema string) {
	err := m.DB.Write(context.Background(), func(w *sqlx.DB) error {
		_, err := w.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`)
		return err
	})
	if err != nil {
		m.Logger.Warn("drop scratch schema", "schema", schema, "err", err)
	}
}

// inspectDump catalogues a dump found in the backups folder after
// verifying it whole.
func (m *Manager) inspectDump(ctx context.Context, path string) (*domain.Backup, error) {
	name := filepath.Base(path)
	created, kind, ok := parseName(name)
	if !ok {
		return nil, domain.Invalidf("file", "%s is not named like a Reelvault backup.", name)
	}
	man, err := m.verifyDump(ctx, path, name)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat backup: %w", err)
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, err
	}
	return &domain.Backup{Name: name, Kind: kind, CreatedAt: created, Size: fi.Size(), SHA256: sum,
		SchemaVersion: man.SchemaVersion, Rows: man.rows(), VerifiedAt: m.now().UTC()}, nil
}

// restoreDump replaces the live PostgreSQL data with the dump at src: the
// dump is loaded and upgraded in a scratch schema first (nothing live is
// touched until it is proven good), a pre-restore dump of the live data is
// taken and journalled for Undo, and the live tables are then replaced from
// the scratch schema in one transaction. The caller holds the operation
// lock.
func (m *Manager) restoreDump(ctx context.Context, src string, progress func(domain.BackupProgress)) (*domain.RestoreResult, error) {
	step := func(n int64) {
		p := domain.BackupProgress{Phase: "restore", Done: n, Total: 4}
		if progress != nil {
			progress(p)
		}
		m.notify(domain.Notification{Type: "restore", Progress: percent(p), Data: p})
	}
	step(0)
	set, err := m.openSet(ctx, src, false)
	if err != nil {
		return nil, err
	}
	defer set.Close()
	if set.Schema == "" {
		return nil, domain.Invalidf("file", "%s is a backup of a SQLite database; a Reelvault that uses PostgreSQL restores chosen tasks from it (--task), not the whole database.", set.Name)
	}
	step(1)
	pre, err := m.takeDump(ctx, Options{Kind: domain.BackupPreRestore})
	if err != nil {
		return nil, fmt.Errorf("pre-restore backup: %w", err)
	}
	if err := m.writeJournal(pre.Name, src); err != nil {
		return nil, err
	}
	step(2)
	if err := store.ReplaceFromSchema(ctx, m.DB, set.Schema); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	step(4)
	m.Logger.Info("restored database", "source", src, "pre_restore", pre.Name)
	return &domain.RestoreResult{Source: src, PreRestore: pre, SchemaVersion: set.Info.SchemaVersion, Rows: set.Info.Rows}, nil
}
