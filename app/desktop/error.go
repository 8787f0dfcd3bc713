package desktop

import (
	"log/slog"

	"github.com/reelvault/reelvault/domain"
)

// UIError is the shape in which a failed binding call reaches the UI: the
// promise returned by the generated binding rejects with this object.
type UIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// FormatError converts an error returned by a bound method into a UIError.
// It is the window's Wails ErrorFormatter. Internal errors are logged and
// reach the UI only as a generic message, never with their details.
func FormatError(err error) any {
	code := domain.ErrorCode(err)
	if code == domain.EINTERNAL {
		slog.Error("desktop call failed", "err", err)
	}
	return UIError{
		Code:    code,
		Message: domain.ErrorMessage(err),
		Field:   domain.ErrorField(err),
	}
}
