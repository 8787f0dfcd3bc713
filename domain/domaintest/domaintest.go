// Package domaintest holds the test helpers every package's tests share
// about the domain's errors.
package domaintest

import (
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// AssertCode fails tb unless err carries the domain error code and, if
// field is not empty, names field.
func AssertCode(tb testing.TB, err error, code, field string) {
	tb.Helper()
	if got := domain.ErrorCode(err); got != code {
		tb.Fatalf("code=%q, want %q (err=%v)", got, code, err)
	}
	if field != "" {
		if got := domain.ErrorField(err); got != field {
			tb.Fatalf("field=%q, want %q (err=%v)", got, field, err)
		}
	}
}
