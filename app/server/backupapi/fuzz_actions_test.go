package backupapi_test

import (
	"testing"
)

// FuzzBackupActionBody sends arbitrary bodies to the backup actions that
// take none (take a backup, restore, undo, run a maintenance operation):
// no input gets a 5xx, every refusal carries an error code, and a refused
// restore or undo leaves the tasks as they were.
func FuzzBackupActionBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"kind":"manual"}`, `{"out":"/etc"}`, `[]`, `null`, `{"name":"../../etc/passwd"}`, "\x00"} {
		for op := uint8(0); op < 4; op++ {
			f.Add([]byte(s), op)
		}
	}
	e := mustOpenEnv(f)
	id := e.createTask("kept through every refused action")
	var b struct {
		Name string `json:"name"`
	}
	e.must(201, "POST", "/api/v1/backups", nil).decode(&b)
	paths := []string{"/api/v1/backups", "/api/v1/backups/" + b.Name + "/restore", "/api/v1/restore/undo", "/api/v1/maintenance/checkpoint"}
	f.Fuzz(func(t *testing.T, body []byte, op uint8) {
		e.t = t
		path := paths[int(op)%len(paths)]
		r := e.do("POST", path, body, true)
		if r.status >= 500 {
			t.Fatalf("POST %s with %q: status %d: %s", path, body, r.status, r.body)
		}
		if r.status >= 400 {
			if code, _ := r.code(); code == "" {
				t.Fatalf("POST %s: error without code: %s", path, r.body)
			}
			if !e.taskExists(id) {
				t.Fatalf("refused POST %s with %q, but the task is gone", path, body)
			}
		}
	})
}
