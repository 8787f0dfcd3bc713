package desktop_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/reelvault/reelvault/app/desktop"
	"github.com/reelvault/reelvault/domain"
)

func TestFormatError(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"Invalid", fmt.Errorf("list tasks: %w", domain.Invalidf("limit", "The limit must be between 1 and 500.")),
			`{"code":"invalid","message":"The limit must be between 1 and 500.","field":"limit"}`},
		{"NotFound", domain.Errorf(domain.ENOTFOUND, "No task %q.", "abc"),
			`{"code":"not_found","message":"No task \"abc\"."}`},
		{"InternalHidesDetails", errors.New("open /secret/path/reelvault.db: permission denied"),
			`{"code":"internal","message":"Internal error."}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(desktop.FormatError(tt.err))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tt.want {
				t.Fatalf("json=%s, want %s", got, tt.want)
			}
		})
	}
}
