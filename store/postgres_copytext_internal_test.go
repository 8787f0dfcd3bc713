package store

import (
	"math"
	"strings"
	"testing"
)

func TestCopyRow_Encode(t *testing.T) {
	e := newCopyRow("videos", []string{"id", "fps", "ok", "name"}, []pgType{pgInt, pgFloat, pgBool, pgText})

	t.Run("Values", func(t *testing.T) {
		for _, tt := range []struct {
			vals      []any
			line, sum string
		}{
			{[]any{int64(1), 29.97, int64(1), "a\tb\\c\nd"}, "1\t29.97\tt\ta\\tb\\\\c\\nd\n", "1\t\\\\x403df851eb851eb8\tt\ta\\tb\\\\c\\nd\n"},
			{[]any{float64(7), int64(5), int64(0), nil}, "7\t5\tf\t\\N\n", "7\t\\\\x4014000000000000\tf\t\\N\n"},
			{[]any{nil, math.Inf(1), nil, []byte("x")}, "\\N\tInfinity\t\\N\tx\n", "\\N\t\\\\x7ff0000000000000\t\\N\tx\n"},
			{[]any{int64(-3), 1234567.0, int64(1), "中文"}, "-3\t1.234567e+06\tt\t中文\n", "-3\t\\\\x4132d68700000000\tt\t中文\n"},
		} {
			if err := e.encode(tt.vals); err != nil {
				t.Fatal(err)
			}
			if got := string(e.line); got != tt.line {
				t.Errorf("line=%q, want %q", got, tt.line)
			}
			if got := string(e.sum); got != tt.sum {
				t.Errorf("sum=%q, want %q", got, tt.sum)
			}
		}
	})

	t.Run("ErrNotABoolean", func(t *testing.T) {
		err := e.encode([]any{int64(1), 1.0, int64(7), "x"})
		if err == nil || !strings.Contains(err.Error(), "videos.ok") {
			t.Fatalf("err=%v, want one naming videos.ok", err)
		}
	})

	t.Run("ErrNotAnInteger", func(t *testing.T) {
		err := e.encode([]any{4.5, 1.0, int64(1), "x"})
		if err == nil || !strings.Contains(err.Error(), "videos.id") {
			t.Fatalf("err=%v, want one naming videos.id", err)
		}
	})
}
