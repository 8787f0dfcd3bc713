package store

import "testing"

// Two task IDs are one entry exactly when they are the same string, in
// either of the set's two forms.
func TestTaskIDSeen(t *testing.T) {
	s := newTaskIDSeen()
	for i, tt := range []struct {
		id    string
		first int
		dup   bool
	}{
		{"3f6c1d2e-0000-4000-8000-000000000001", 0, false},
		{"3F6C1D2E-0000-4000-8000-000000000001", 0, false}, // upper case: another ID
		{"3f6c1d2e-0000-4000-8000-000000000002", 0, false},
		{"bulk-000001", 0, false},
		{"3f6c1d2e-0000-4000-8000-000000000001", 1, true},
		{"3F6C1D2E-0000-4000-8000-000000000001", 2, true},
		{"bulk-000001", 4, true},
		{"3f6c1d2e00000-4000-8000-000000000001", 0, false}, // no dash where one belongs
		{"3f6c1d2e-0000-4000-8000-00000000000g", 0, false},
	} {
		first, dup := s.add(tt.id, i+1)
		if first != tt.first || dup != tt.dup {
			t.Fatalf("add(%q) at %d = %d, %v; want %d, %v", tt.id, i+1, first, dup, tt.first, tt.dup)
		}
	}
	if got, want := len(s.uuids), 2; got != want {
		t.Fatalf("uuids=%d, want %d", got, want)
	}
}
