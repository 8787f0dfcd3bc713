package backup

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/reelvault/reelvault/domain"
)

// MaxUploadBytes bounds an uploaded backup set.
const MaxUploadBytes = 64 << 30

// Upload receives a backup set (any file restore accepts: a Reelvault
// backup, zstd, gzip or plain) and keeps it in the backups folder as an
// "uploaded" set once it is proven whole: written to a temporary name,
// expanded, put through the integrity check, compressed and catalogued. It
// returns the catalogue entry and what the set holds, so the person sees
// its version and contents before restoring anything. The live data is not
// touched.
//
// Returns EINVALID (not a Reelvault backup, damaged, larger than
// MaxUploadBytes, a newer schema), ECONFLICT (another backup or restore
// runs).
func (m *Manager) Upload(ctx context.Context, r io.Reader) (*domain.Backup, *domain.SetInfo, error) {
	unlock, err := m.lock("upload")
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return nil, nil, unwritable(m.Dir, err)
	}
	removeStaleTemps(m.Dir)
	tmp := filepath.Join(m.Dir, ".tmp-"+randomHex()+".upload")
	defer removeAll(tmp, tmp+".db", tmp+".db-journal", tmp+".db-wal", tmp+".db-shm", tmp+".zst")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, unwritable(m.Dir, err)
	}
	n, err := io.Copy(f, &ctxReader{ctx: ctx, r: io.LimitReader(r, MaxUploadBytes+1)})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("receive upload: %w", err)
	}
	if n > MaxUploadBytes {
		return nil, nil, domain.Invalidf("file", "The uploaded file is larger than %d bytes.", int64(MaxUploadBytes))
	}
	if n == 0 {
		return nil, nil, domain.Invalidf("file", "The uploaded file is empty.")
	}

	now := m.now()
	final := uniquePath(m.Dir, backupName(now, domain.BackupUploaded))
	if isDump(tmp) {
		final = uniquePath(m.Dir, dumpName(now, domain.BackupUploaded))
		if _, err := m.verifyDump(ctx, tmp, "the uploaded file"); err != nil {
			return nil, nil, err
		}
		if err := os.Rename(tmp, final); err != nil {
			return nil, nil, fmt.Errorf("keep upload: %w", err)
		}
	} else {
		if err := expandFile(ctx, tmp, tmp+".db"); err != nil {
			return nil, nil, err
		}
		if _, err := verifyDatabase(ctx, tmp+".db", "the uploaded file"); err != nil {
			return nil, nil, err
		}
		if _, _, err := compressFile(tmp+".db", tmp+".zst", nil); err != nil {
			return nil, nil, err
		}
		if err := os.Rename(tmp+".zst", final); err != nil {
			return nil, nil, fmt.Errorf("keep upload: %w", err)
		}
	}
	if err := syncDir(m.Dir); err != nil {
		return nil, nil, err
	}
	b, err := m.inspect(ctx, final)
	if err != nil {
		os.Remove(final)
		return nil, nil, err
	}
	if err := m.addToCatalog(b); err != nil {
		return nil, nil, err
	}
	b.Path = final
	info := &domain.SetInfo{Name: b.Name, Engine: engineOf(final), CreatedAt: &b.CreatedAt, Size: b.Size,
		SchemaVersion: b.SchemaVersion, Rows: b.Rows}
	m.Logger.Info("received a backup set", "name", b.Name, "bytes", b.Size)
	return b, info, nil
}
