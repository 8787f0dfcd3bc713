package desktop

import (
	"log/slog"

	"github.com/reelvault/reelvault/domain"
)

// FormatError converts an error returned by a bound method into the shape
// in which it reaches the UI: the promise returned by the generated binding
// rejects with domain.Public(err), the same error object as the HTTP API's
// error body. It is the window's Wails ErrorFormatter. Internal errors are
// logged and reach the UI only as a generic message, never with their
// details.
func FormatError(err error) any {
	e := domain.Public(err)
	if e.Code == domain.EINTERNAL {
		slog.Error("desktop call failed", "err", err)
	}
	return e
}
