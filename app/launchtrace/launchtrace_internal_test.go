package launchtrace

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestMark(t *testing.T) {
	var buf strings.Builder
	out, enabled = &buf, false
	t.Cleanup(func() { enabled = false })

	Mark("off")
	if buf.Len() != 0 {
		t.Fatalf("printed %q with the trace off, want nothing", buf.String())
	}
	enabled = true
	Mark("main")
	MarkOnce("binding ListTasks called")
	MarkOnce("binding ListTasks called")
	MarkAt("page: navigation start", Start().Add(1500*time.Microsecond))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("printed %q, want 3 lines (MarkOnce prints once)", buf.String())
	}
	re := regexp.MustCompile(`^Launch: (.+) (\d+\.\d) ms$`)
	for i, want := range []string{"main", "binding ListTasks called", "page: navigation start"} {
		m := re.FindStringSubmatch(lines[i])
		if m == nil || m[1] != want {
			t.Fatalf("line %d = %q, want %q with its milliseconds", i, lines[i], want)
		}
	}
	if !strings.HasSuffix(lines[2], " 1.5 ms") {
		t.Fatalf("MarkAt line %q, want 1.5 ms after the start", lines[2])
	}
}
