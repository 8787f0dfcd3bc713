package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/reelvault/reelvault/domain"
)

// On PostgreSQL several Reelvault processes may share one database. Each
// write transaction also announces its notifications on a PostgreSQL
// channel (pg_notify, delivered only if the transaction commits), and each
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

// publishNotes queues t's notifications on notifyChannel in t's
// transaction.
func publishNotes(t *tx) error {
	payloads := make([]string, 0, len(t.notes))
	for _, n := range t.notes {
		b, err := json.Marshal(pgNote{Origin: t.db.origin, Notification: n})
		if err != nil {
			return fmt.Errorf("publish notification: %w", err)
		}
		payloads = append(payloads, string(b))
	}
	if _, err := t.ext.ExecContext(t.ctx, `SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p`, notifyChannel, payloads); err != nil {
		return fmt.Errorf("publish notification: %w", err)
	}
	return nil
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

// startListener listens on notifyChannel with a connection of its own and
// hands other processes' notifications to db.Notifier. It reconnects after
// an error, waiting longer each time, until stopListener.
func (db *DB) startListener(dsn string) {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{cancel: cancel, done: make(chan struct{})}
	db.listener = l
	go func() {
		defer close(l.done)
		wait := 100 * time.Millisecond
		for {
			err := db.listen(ctx, dsn)
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
}

// listen runs one LISTEN session until ctx ends or the connection fails.
func (db *DB) listen(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
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
