package store

import (
	"strings"
	"testing"
	"time"
)

// The export's column readers take the types each driver delivers ([]byte
// text, narrower integers, whole numbers for floats, 0/1 for booleans) and
// turn a value that is none of them into an error naming the first bad
// column, reading zero for it.
func TestAnyRow_Readers(t *testing.T) {
	r := &anyRow{vals: []any{
		[]byte("bytes text"), // 0
		int32(7),             // 1
		"12",                 // 2
		nil,                  // 3
		"true",               // 4
		int64(0),             // 5
		true,                 // 6
		int64(3),             // 7
		"2.5",                // 8
		float32(1.5),         // 9
	}}
	if got := r.str(0); got != "bytes text" {
		t.Fatalf("str([]byte)=%q", got)
	}
	if got, ok := r.nullInt(1); got != 7 || !ok {
		t.Fatalf("nullInt(int32)=%d,%v", got, ok)
	}
	if got, ok := r.nullInt(2); got != 12 || !ok {
		t.Fatalf("nullInt(%q)=%d,%v", "12", got, ok)
	}
	if got, ok := r.nullInt(3); got != 0 || ok {
		t.Fatalf("nullInt(nil)=%d,%v, want absent", got, ok)
	}
	if got := r.str(3); got != "" {
		t.Fatalf("str(nil)=%q", got)
	}
	if !r.bool(4) || r.bool(5) || !r.bool(6) || !r.bool(7) {
		t.Fatalf("bools of %v read wrong", r.vals[4:8])
	}
	if r.bool(3) {
		t.Fatal("bool(nil)=true")
	}
	if got, ok := r.nullFloat(7); got != 3 || !ok {
		t.Fatalf("nullFloat(int64 3)=%v,%v", got, ok)
	}
	if got, ok := r.nullFloat(8); got != 2.5 || !ok {
		t.Fatalf("nullFloat(%q)=%v,%v", "2.5", got, ok)
	}
	if got := r.float(9); got != 1.5 {
		t.Fatalf("float(float32)=%v", got)
	}
	if got, ok := r.nullFloat(3); got != 0 || ok {
		t.Fatalf("nullFloat(nil)=%v,%v, want absent", got, ok)
	}
	if r.err != nil {
		t.Fatalf("good values failed: %v", r.err)
	}

	for _, tt := range []struct {
		name string
		read func(r *anyRow) any
	}{
		{"str", func(r *anyRow) any { return r.str(1) }},
		{"nullInt", func(r *anyRow) any { v, _ := r.nullInt(1); return v }},
		{"bool", func(r *anyRow) any { return r.bool(1) }},
		{"nullFloat", func(r *anyRow) any { v, _ := r.nullFloat(1); return v }},
	} {
		t.Run("Err_"+tt.name, func(t *testing.T) {
			bad := &anyRow{vals: []any{int64(1), "not a value", time.Now()}}
			got := tt.read(bad)
			if tt.name == "str" {
				bad.vals[1] = struct{}{} // no driver value: not text
				got = tt.read(bad)
			}
			if bad.err == nil || !strings.HasPrefix(bad.err.Error(), "column 1: ") {
				t.Fatalf("%s of a bad value: err=%v, want one naming column 1", tt.name, bad.err)
			}
			switch v := got.(type) {
			case string:
				if v != "" {
					t.Fatalf("read %q from a bad value, want zero", v)
				}
			case int64:
				if v != 0 {
					t.Fatalf("read %d from a bad value, want zero", v)
				}
			case bool:
				if v {
					t.Fatal("read true from a bad value")
				}
			case float64:
				if v != 0 {
					t.Fatalf("read %v from a bad value, want zero", v)
				}
			}
			// The first failure is the one reported.
			first := bad.err
			bad.vals[2] = struct{}{}
			_ = bad.str(2)
			if bad.err != first {
				t.Fatalf("a later failure replaced the first: %v", bad.err)
			}
		})
	}
}
