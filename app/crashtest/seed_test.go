package crashtest_test

import (
	"bufio"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// seedWords make up the generated prompts: varied enough that the full-text
// index and the compressor have real work.
var seedWords = strings.Fields(`fox river dawn mountain city neon rain forest ocean desert storm
	camera pan slow light shadow 森林 探险 城市 夜景 drone tracking close-up wide golden hour`)

// writeImport writes an NDJSON export file of n pending tasks of user, each
// with a prompt of about words words, and returns its path.
func writeImport(t testing.TB, user string, n, words int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	path := filepath.Join(t.TempDir(), fmt.Sprintf("import-%s-%d.ndjson", user, seed))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	enc := json.NewEncoder(w)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(enc.Encode(map[string]any{
		"format": "reelvault-export", "version": 1, "exported_at": now, "filter": map[string]any{},
		"users": []map[string]any{{"username": user, "quota": 1_000_000, "used_quota": 0, "is_active": true, "created_at": now, "updated_at": now}},
	}))
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.Reset()
		for j := 0; j < words; j++ {
			if j > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s%d", seedWords[rng.IntN(len(seedWords))], rng.IntN(100000))
		}
		must(enc.Encode(map[string]any{
			"task_id":  fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.IntN(1<<16), rng.IntN(1<<12), rng.IntN(1<<12), rng.Uint64()&(1<<48-1)),
			"username": user, "prompt": b.String(), "status": "pending", "progress": 0,
			"total_scenes": 0, "completed_scenes": 0, "attempts": 0, "created_at": now, "updated_at": now,
			"scripts": []any{}, "videos": []any{},
			"events": []map[string]any{{"type": "created", "status": "pending", "progress": 0, "created_at": now}},
		}))
	}
	must(w.Flush())
	return path
}

// taskSet returns the number of tasks in the database file and a digest of
// their IDs and statuses, to tell one database state from another.
func taskSet(t testing.TB, db *sql.DB) (int, string) {
	t.Helper()
	rows, err := db.Query("SELECT task_id, status FROM tasks ORDER BY task_id")
	if err != nil {
		t.Fatalf("read tasks: %v", err)
	}
	defer rows.Close()
	h := sha256.New()
	n := 0
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %s\n", id, st)
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n, hex.EncodeToString(h.Sum(nil))[:16]
}

// fileSHA256 returns the hex SHA-256 of a file.
func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// copyDir copies a data directory (the cp command keeps it simple and fast).
func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", src, err, out)
	}
}
