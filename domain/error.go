package domain

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status and one UI error shape at the edges.
const (
	EINVALID       = "invalid"        // bad input; Field names the offending field
	ENOTFOUND      = "not_found"      // no such row, or not visible to the caller
	ECONFLICT      = "conflict"       // state does not allow the operation
	EQUOTAEXCEEDED = "quota_exceeded" // the user has used all of its quota
	EUNAUTHORIZED  = "unauthorized"   // no or bad credentials
	EFORBIDDEN     = "forbidden"      // credentials valid but not allowed
	EINTERNAL      = "internal"       // anything else; details are logged, not shown
)

// Error is Reelvault's application error. Message is a sentence a user can act on.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Field names the input field at fault, for EINVALID errors.
	Field string `json:"field,omitempty"`
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf returns an EINVALID *Error naming field; the message should name it too.
func Invalidf(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil,
// and EINTERNAL for any other error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors so that details never leak to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorField returns the Field of the first *Error in err's chain, if any.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// Public returns err as the edges show it (the HTTP API's error body, the
// window's rejected promise): its code, its message (a generic one for
// internal errors, whose details are only logged) and its field.
func Public(err error) Error {
	return Error{Code: ErrorCode(err), Message: ErrorMessage(err), Field: ErrorField(err)}
}
