package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/dustin/go-humanize"
)

// PrintJSON writes v to Stdout as indented JSON. HTML characters are not
// escaped, so prompts read as they were written.
func (env *Env) PrintJSON(v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

// nonNil returns list, or an empty list for nil, so that JSON shows [] and
// not null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// Printf writes human output to Stdout.
func (env *Env) Printf(format string, args ...any) {
	fmt.Fprintf(env.Stdout, format, args...)
}

// Table is an aligned text table on Stdout.
type Table struct {
	tw *tabwriter.Writer
}

// Table starts a table with the given column headers.
func (env *Env) Table(header ...string) *Table {
	t := &Table{tw: tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)}
	if len(header) > 0 {
		t.Row(toAny(header)...)
	}
	return t
}

// Row adds one row; each value is printed with %v.
func (t *Table) Row(cols ...any) {
	for i, c := range cols {
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		fmt.Fprint(t.tw, c)
	}
	io.WriteString(t.tw, "\n")
}

// Flush writes the table out.
func (t *Table) Flush() error {
	if err := t.tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// fmtTime formats an instant in the local time zone to the second, with
// the zone shown ("2026-12-06 11:04:05 CST"), so a person reads their own
// clock and still knows which one it is.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05 MST")
}

// fmtTimePtr is fmtTime for an optional instant.
func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return fmtTime(*t)
}

// fmtBytes humanises a size: 0 B, 4.0 KiB, 1.2 MiB.
func fmtBytes(n int64) string {
	if n < 0 {
		return "-"
	}
	return humanize.IBytes(uint64(n))
}

// fmtSeconds formats a duration in seconds: 0.4s, 12.5s, 3m07s, 1h02m.
func fmtSeconds(s float64) string {
	switch {
	case s < 0:
		return "-"
	case s < 60:
		return fmt.Sprintf("%.1fs", s)
	case s < 3600:
		m := int(s) / 60
		return fmt.Sprintf("%dm%02ds", m, int(s)-m*60)
	}
	h := int(s) / 3600
	return fmt.Sprintf("%dh%02dm", h, (int(s)-h*3600)/60)
}

// fmtSecondsPtr is fmtSeconds for an optional duration.
func fmtSecondsPtr(s *float64) string {
	if s == nil {
		return "-"
	}
	return fmtSeconds(*s)
}

// oneLine shortens s to at most n characters on one line, for table cells.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
