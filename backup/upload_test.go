package backup_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/reelvault/reelvault/backup"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/domain/domaintest"
)

// An uploaded set is verified before it is kept: an empty file, plain text
// and a compressed file that holds no database are refused naming the
// file, and nothing is left in the backups folder; a real set is kept
// under a new name and catalogued as uploaded.
func TestManager_Upload(t *testing.T) {
	ctx := context.Background()
	db, m := MustOpen(t)
	Seed(t, db, 2)
	b, err := m.Backup(ctx, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set, err := os.ReadFile(b.Path)
	if err != nil {
		t.Fatal(err)
	}
	var notDB bytes.Buffer
	zw, err := zstd.NewWriter(&notDB)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte(strings.Repeat("not a database ", 100)))
	zw.Close()

	files := func() []string {
		entries, err := os.ReadDir(m.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	before := files()
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"Empty", nil},
		{"PlainText", []byte("hello, this is no backup")},
		{"CompressedNotDatabase", notDB.Bytes()},
	} {
		t.Run("Err"+tt.name, func(t *testing.T) {
			_, _, err := m.Upload(ctx, bytes.NewReader(tt.data))
			domaintest.AssertCode(t, err, domain.EINVALID, "file")
			if after := files(); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Fatalf("a refused upload left files: %v, before %v", after, before)
			}
		})
	}

	up, info, err := m.Upload(ctx, bytes.NewReader(set))
	if err != nil {
		t.Fatal(err)
	}
	if up.Kind != domain.BackupUploaded || up.Name == b.Name || up.SHA256 == "" || up.Rows["tasks"] != 2 {
		t.Fatalf("upload=%+v, want a new uploaded set of 2 tasks", up)
	}
	if info.Engine != "sqlite" || info.Name != up.Name || info.Rows["tasks"] != 2 || info.SchemaVersion != b.SchemaVersion {
		t.Fatalf("set info=%+v", info)
	}
	if _, err := os.Stat(filepath.Join(m.Dir, up.Name)); err != nil {
		t.Fatalf("the upload is not kept: %v", err)
	}
	list, err := m.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("listed=%d after an upload, want 2", len(list))
	}
}
