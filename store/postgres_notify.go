package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// On PostgreSQL several Reelvault processes may share one database. Each
// process announces its committed notifications on a PostgreSQL channel
// (pg_notify, see publisher), and each
// process whose DB has a Notifier listens on that channel and passes on the
// notifications of the others: a window or an event stream on one machine
// sees the tasks that workers on another machine move along.

// notifyChannel is the channel of committed task changes.
const notifyChannel = "reelvault_tasks"

// pgNote is the payload of one notification on notifyChannel.
type pgNote struct {
	Origin string `json:"origin"` // the DB that made the change
	domain.Notification
}

// publisher sends this process's notifications to the others, after
// commit and in commit order, from a goroutine of its own.
//
// It does not send them inside the write transaction: PostgreSQL commits
// transactions that issued NOTIFY one at a time (the notification queue
// takes a global lock at commit), which would serialise every durable
// commit behind the one before it, claims included. A notification is only
// a hint to refresh, so one lost in a crash right after a commit is
// harmless; a rolled-back change is never announced.
type publisher struct {
	ch   chan []domain.Notification
	done chan struct{}
}

// startPublisher starts the publisher on pool w.
func (db *DB) startPublisher(w *sqlx.DB) {
	p := &publisher{ch: make(chan []domain.Notification, 1024), done: make(chan struct{})}
	db.publisher = p
	go func() {
		defer close(p.done)
		for notes := range p.ch {
			// Send whatever else is waiting in the same statement.
		more:
			for len(notes) < 200 {
				select {
				case next, ok := <-p.ch:
					if !ok {
						break more
					}
					notes = append(notes, next...)
				default:
					break more
				}
			}
			payloads := make([]string, 0, len(notes))
			for _, n := range notes {
				b, err := json.Marshal(pgNote{Origin: db.origin, Notification: n})
				if err == nil {
					payloads = append(payloads, string(b))
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, err := w.ExecContext(ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, notifyChannel, payloads)
			cancel()
			if err != nil {
				db.Logger.Warn("tell other Reelvault processes about changes", "err", err, "notifications", len(payloads))
			}
		}
	}()
}

// publish queues committed notifications for the other processes. It never
// blocks a writer: when the queue is full they are dropped, with a warning.
func (db *DB) publish(notes []domain.Notification) {
	if db.publisher == nil {
		return
	}
	select {
	case db.publisher.ch <- notes:
	default:
		db.Logger.Warn("notification queue full; other Reelvault processes miss a change", "notifications", len(notes))
	}
}

// stopPublisher sends what is queued and stops the publisher. Writers are
// excluded meanwhile (close holds the swap lock), so nothing is queued late.
func (db *DB) stopPublisher() {
	if db.publisher == nil {
		return
	}
	close(db.publisher.ch)
	<-db.publisher.done
	db.publisher = nil
}

// listener is the goroutine that receives other processes' notifications.
type listener struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// newOrigin returns a random id for this opening of the DB.
func newOrigin() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// listenReadyTimeout bounds how long Open waits for the first LISTEN.
const listenReadyTimeout = 5 * time.Second

// startListener listens on notifyChannel with a connection of its own and
// hands other processes' notifications to db.Notifier. It reconnects after
// an error, waiting longer each time, until stopListener. It returns once the
// first LISTEN is in place (or after listenReadyTimeout), so that a change
// another process commits after Open has returned is never missed.
func (db *DB) startListener(dsn string) {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cancel: cancel, done: make(chan struct{})}
	db.listener = l
	ready := make(chan struct{})
	var once sync.Once
	listening := func() { once.Do(func() { close(ready) }) }
	go func() {
		defer close(l.done)
		wait := 100 * time.Millisecond
		for {
			err := db.listen(ctx, dsn, listening)
			if ctx.Err() != nil {
				return
			}
			db.Logger.Warn("listen for changes made by other Reelvault processes", "err", err, "retry_in", wait)
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, 10*time.Second)
		}
	}()
	select {
	case <-ready:
	case <-time.After(listenReadyTimeout):
		db.Logger.Warn("not yet listening for changes made by other Reelvault processes; going on")
	}
}

// listen runs one LISTEN session until ctx ends or the connection fails;
// listening is called once the LISTEN is in place.
func (db *DB) listen(ctx context.Context, dsn string, listening func()) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var note pgNote
		if err := json.Unmarshal([]byte(n.Payload), &note); err != nil || note.Origin == db.origin {
			continue // our own changes were announced in-process already
		}
		if db.Notifier != nil {
			db.Notifier.Notify(note.Notification)
		}
	}
}

// stopListener stops the listener, if any, and waits for it.
func (db *DB) stopListener() {
	if db.listener == nil {
		return
	}
	db.listener.cancel()
	<-db.listener.done
	db.listener = nil
}
