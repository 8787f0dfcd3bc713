package desktop

import (
	"github.com/reelvault/reelvault/app/hub"
)

// Event names emitted to the window. The frontend subscribes with
// EventsOn(EventNotification, …); the payload is a domain.Notification, the
// same JSON as the data of a message on the HTTP API's SSE stream.
const (
	EventNotification = "notification"
	// EventResync is emitted when notifications were lost because the
	// window fell behind: the UI should reload what it shows.
	EventResync = "resync"
)

// ForwardEvents emits each message of sub as EventNotification until sub is
// closed. The hub drops messages for a subscriber that falls behind rather
// than block the store; a gap in the message IDs is therefore followed by
// one EventResync so the UI reloads instead of showing stale rows.
func ForwardEvents(sub *hub.Subscription, emit func(name string, data any)) {
	var last uint64
	for m := range sub.C {
		if last != 0 && m.ID > last+1 {
			emit(EventResync, nil)
		}
		last = m.ID
		emit(EventNotification, m.Notification)
	}
}
