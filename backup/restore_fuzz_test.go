package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/klauspost/compress/zstd"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
)

// FuzzManager_Restore feeds arbitrary files to the restore file validator:
// damaged, truncated, foreign or hostile bytes, plain or zstd-compressed.
// Restore must never panic and must refuse such a file with EINVALID
// before changing anything: the live database keeps its exact bytes. A file
// it does accept must hold a database that passes integrity_check.
func FuzzManager_Restore(f *testing.F) {
	db, m := MustOpen(f)
	Seed(f, db, 3)
	ctx := domain.WithOwner(context.Background())

	// Seeds: a real backup (compressed), the same database plain, and
	// damaged variants of both.
	dir := f.TempDir()
	b, err := m.Backup(ctx, backup.Options{Out: filepath.Join(dir, "good.db.zst")})
	if err != nil {
		f.Fatal(err)
	}
	compressed, err := os.ReadFile(b.Path)
	if err != nil {
		f.Fatal(err)
	}
	zr, err := zstd.NewReader(bytes.NewReader(compressed))
	if err != nil {
		f.Fatal(err)
	}
	plain, err := zr.DecodeAll(compressed, nil)
	zr.Close()
	if err != nil {
		f.Fatal(err)
	}
	enc, _ := zstd.NewWriter(nil)
	zip := func(p []byte) []byte { return enc.EncodeAll(p, nil) }
	flip := func(p []byte, at int) []byte {
		q := bytes.Clone(p)
		q[at%len(q)] ^= 0xff
		return q
	}
	foreign := bytes.Clone(plain)
	copy(foreign[68:72], []byte{0, 0, 0, 1}) // another application_id
	f.Add(compressed)
	f.Add(plain)
	f.Add(plain[:len(plain)/2])
	f.Add(plain[:100])
	f.Add(foreign)
	f.Add(flip(plain, 16))   // page size
	f.Add(flip(plain, 28))   // page count
	f.Add(flip(plain, 4096)) // the first b-tree page after the header page
	f.Add(flip(plain, len(plain)-10))
	f.Add(zip(plain[:len(plain)-512]))
	f.Add(zip(foreign))
	f.Add(compressed[:len(compressed)/2])
	f.Add(flip(compressed, len(compressed)/2))
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte{0x1f, 0x8b, 0x08, 0x00}) // a gzip header and nothing else
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}) // a zstd magic and nothing else
	f.Add([]byte{})

	path := filepath.Join(dir, "candidate.db")
	f.Fuzz(func(t *testing.T, data []byte) {
		before := FileSum(t, db)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := m.Restore(ctx, path, nil)
		if err != nil {
			if code := domain.ErrorCode(err); code != domain.EINVALID {
				t.Fatalf("Restore refused a bad file with code %q, want %q: %v", code, domain.EINVALID, err)
			}
			if after := FileSum(t, db); after != before {
				t.Fatalf("a refused restore changed the live database")
			}
			return
		}
		// Accepted: the live database must be sound.
		if err := db.Read(ctx, func(r *sqlx.DB) error {
			var res string
			if err := r.Get(&res, "PRAGMA integrity_check"); err != nil {
				return err
			}
			if res != "ok" {
				return sql.ErrNoRows
			}
			return nil
		}); err != nil {
			t.Fatalf("after an accepted restore, integrity_check: %v", err)
		}
	})
}
