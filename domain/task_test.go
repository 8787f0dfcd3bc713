package domain_test

import (
	"testing"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// TestStep_Check walks the lifecycle table: every step from every state is
// allowed exactly where the table says, and a refusal is ECONFLICT naming
// both states.
func TestStep_Check(t *testing.T) {
	allowed := map[domain.Step][]domain.Status{
		domain.StepStart:    {domain.StatusPending},
		domain.StepUpdate:   {domain.StatusProcessing},
		domain.StepComplete: {domain.StatusProcessing},
		domain.StepFail:     {domain.StatusPending, domain.StatusProcessing},
		domain.StepCancel:   {domain.StatusPending, domain.StatusProcessing},
	}
	if len(domain.Steps) != len(allowed) {
		t.Fatalf("%d steps, want %d", len(domain.Steps), len(allowed))
	}
	for step, from := range allowed {
		for _, st := range domain.Statuses {
			want := false
			for _, f := range from {
				want = want || f == st
			}
			err := step.Check("t1", st)
			if (err == nil) != want {
				t.Errorf("%s from %s: err=%v, want allowed=%v", step, st, err, want)
			}
			if err != nil {
				if got := domain.ErrorCode(err); got != domain.ECONFLICT {
					t.Errorf("%s from %s: code=%q, want %q", step, st, got, domain.ECONFLICT)
				}
			}
		}
		if st := step.To(); !st.Valid() {
			t.Errorf("%s ends in %q", step, st)
		}
	}
	for _, st := range domain.Statuses {
		if st.Terminal() {
			for step := range domain.Steps {
				if step.Check("t1", st) == nil {
					t.Errorf("%s is allowed from the final state %s", step, st)
				}
			}
		}
	}
}

// TestLeaseSeconds: one rule for the maximum lease, in seconds (the API)
// and as a duration (the store), 0 meaning the default.
func TestLeaseSeconds(t *testing.T) {
	for _, tt := range []struct {
		seconds int
		want    time.Duration
		ok      bool
	}{
		{0, domain.DefaultLease, true},
		{1, time.Second, true},
		{domain.MaxLeaseSeconds, domain.MaxLease, true},
		{domain.MaxLeaseSeconds + 1, 0, false},
		{-1, 0, false},
		{1 << 62, 0, false}, // would wrap if multiplied first
	} {
		got, err := domain.LeaseSeconds(tt.seconds)
		if tt.ok != (err == nil) || got != tt.want {
			t.Errorf("LeaseSeconds(%d)=%v, %v; want %v, ok=%v", tt.seconds, got, err, tt.want, tt.ok)
		}
		if err != nil && domain.ErrorField(err) != "lease_seconds" {
			t.Errorf("LeaseSeconds(%d): field %q, want lease_seconds", tt.seconds, domain.ErrorField(err))
		}
	}
	if got, err := domain.LeaseDuration(0); err != nil || got != domain.DefaultLease {
		t.Fatalf("LeaseDuration(0)=%v, %v; want the default", got, err)
	}
	if _, err := domain.LeaseDuration(domain.MaxLease + time.Nanosecond); err == nil {
		t.Fatal("a lease over the maximum was accepted")
	}
}
