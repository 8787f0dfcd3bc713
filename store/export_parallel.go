package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/reelvault/reelvault/domain"
)

// A full or filtered export (not a list of task IDs) reads the tasks with
// several readers at once. The task id range is cut into chunks of
// exportBatch ids; reader j reads chunks j, j+k, j+2k… each in its own read
// transaction on its own connection, turns every chunk into its JSON
// text, and hands it to the one writer, which takes the chunks back in id
// order. Each reader has at most exportAhead chunks waiting, so memory is
// bounded by k×(exportAhead+1) chunks of about a megabyte, however large
// the history.
//
// The readers must see one snapshot, or a task committed while the export
// starts could be in a later chunk and missing from an earlier one. On
// SQLite the read transactions are started while a gate connection holds
// the write lock (BEGIN IMMEDIATE), so no commit can land between the
// first reader's snapshot and the last's; the lock is held for the few
// statements that start them. On PostgreSQL the first transaction exports
// its snapshot (pg_export_snapshot) and the others adopt it (SET
// TRANSACTION SNAPSHOT).

// exportAhead is how many encoded chunks a reader may have waiting for the
// writer.
const exportAhead = 2

// maxExportReaders bounds the readers of one export, leaving the reader
// pool's other connections to the application.
const maxExportReaders = 4

// exportReaders returns how many readers an export uses on a reader pool
// of poolSize connections.
func exportReaders(poolSize int) int {
	k := min(runtime.GOMAXPROCS(0), maxExportReaders)
	if poolSize > 0 {
		k = min(k, poolSize-1)
	}
	return max(k, 1)
}

// exportCacheKiB is the page cache of an export's SQLite readers.
const exportCacheKiB = 2048

// restoreCache gives an export's reader connection back its page cache
// (SQLite), before its transaction ends and it returns to the pool.
func restoreCache(db *DB, t *sqlx.Tx) {
	if !db.dialect.isPostgres() {
		t.Exec(fmt.Sprintf("PRAGMA cache_size = %d", -pageCacheKiB))
	}
}

// exportChunk is one chunk's JSON text, sent from a reader to the writer.
type exportChunk struct {
	buf []byte
	err error
}

// snapshotTxs begins k read transactions on r that see one snapshot.
// The caller rolls them back.
func (db *DB) snapshotTxs(ctx context.Context, r *sqlx.DB, k int) ([]*sqlx.Tx, error) {
	txs := make([]*sqlx.Tx, 0, k)
	fail := func(err error) ([]*sqlx.Tx, error) {
		for _, t := range txs {
			restoreCache(db, t)
			t.Rollback()
		}
		return nil, err
	}
	if db.dialect.isPostgres() {
		opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
		var snapshot string
		for i := range k {
			t, err := r.BeginTxx(ctx, opts)
			if err != nil {
				return fail(fmt.Errorf("begin: %w", err))
			}
			txs = append(txs, t)
			if i == 0 {
				if err := t.GetContext(ctx, &snapshot, `SELECT pg_export_snapshot()`); err != nil {
					return fail(fmt.Errorf("export snapshot: %w", err))
				}
				continue
			}
			if _, err := t.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "")+`'`); err != nil {
				return fail(fmt.Errorf("set snapshot: %w", err))
			}
		}
		return txs, nil
	}
	if k > 1 && !db.readOnly {
		gate, err := sql.Open("sqlite", db.dsn(true))
		if err != nil {
			return fail(fmt.Errorf("open gate: %w", err))
		}
		defer gate.Close()
		gate.SetMaxOpenConns(1)
		g, err := gate.BeginTx(ctx, nil) // BEGIN IMMEDIATE: no commit lands until Rollback
		if err != nil {
			return fail(fmt.Errorf("hold writes: %w", mapError(err)))
		}
		defer g.Rollback()
	}
	for range k {
		t, err := r.BeginTxx(ctx, nil)
		if err != nil {
			return fail(fmt.Errorf("begin: %w", err))
		}
		txs = append(txs, t)
		// Each page is read once: a small page cache loses nothing, and
		// keeps the readers' memory flat on a file larger than the
		// memory map (see restoreCache).
		if _, err := t.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", -exportCacheKiB)); err != nil {
			return fail(fmt.Errorf("export cache: %w", err))
		}
		// A WAL read transaction takes its snapshot at its first read.
		var n int64
		if err := t.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM tasks LIMIT 1)`); err != nil {
			return fail(fmt.Errorf("start snapshot: %w", err))
		}
	}
	return txs, nil
}

// exportParallel calls emit with the JSON text of the tasks matching f
// (taskIDs empty), chunk by chunk in id order, each task preceded by sep
// and followed by a newline. head is called first with a transaction of
// the snapshot, for the header.
func (db *DB) exportParallel(ctx context.Context, f domain.ExportFilter, sep string, head func(t *tx) error, emit func([]byte) error) error {
	return db.Read(ctx, func(r *sqlx.DB) error {
		// The transactions live in the caller's context; the readers'
		// statements in one cancelled when the export stops, so that the
		// transactions outlive the readers and their connections are
		// given back their page cache.
		k := exportReaders(r.Stats().MaxOpenConnections)
		txs, err := db.snapshotTxs(ctx, r, k)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
			for _, t := range txs {
				restoreCache(db, t)
				t.Rollback()
			}
		}()
		now := db.now()
		t0 := &tx{ctx: ctx, db: db, ext: txs[0], pool: r, now: now}
		if err := head(t0); err != nil {
			return mapError(err)
		}
		var lo, hi sql.NullInt64
		if err := t0.each(`SELECT min(id), max(id) FROM tasks`, nil, func(rows *sql.Rows) error {
			return rows.Scan(&lo, &hi)
		}); err != nil {
			return fmt.Errorf("export range: %w", err)
		}
		if !lo.Valid {
			return nil
		}
		chunks := int((hi.Int64-lo.Int64)/exportBatch) + 1
		k = min(k, chunks)

		out := make([]chan exportChunk, k)
		free := make([]chan []byte, k)
		for j := range k {
			out[j] = make(chan exportChunk, exportAhead)
			free[j] = make(chan []byte, exportAhead+1)
			t := &tx{ctx: ctx, db: db, ext: txs[j], pool: r, now: now}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(out[j])
				var p exportPage
				for c := j; c < chunks; c += k {
					var buf []byte
					select {
					case buf = <-free[j]:
					default:
					}
					first := lo.Int64 + int64(c)*exportBatch
					buf, err := exportChunkJSON(t, &p, f, first, first+exportBatch, sep, buf[:0])
					select {
					case out[j] <- exportChunk{buf: buf, err: err}:
					case <-ctx.Done():
						return
					}
					if err != nil {
						return
					}
				}
			}()
		}
		for c := range chunks {
			ch, ok := <-out[c%k]
			if !ok {
				return ctx.Err()
			}
			if ch.err != nil {
				return ch.err
			}
			if err := emit(ch.buf); err != nil {
				return err
			}
			select {
			case free[c%k] <- ch.buf:
			default:
			}
		}
		return nil
	})
}

// exportChunkJSON appends to buf the JSON text of the tasks matching f
// whose row ids are in [first, end), read in t, each task preceded by sep
// and followed by a newline.
func exportChunkJSON(t *tx, p *exportPage, f domain.ExportFilter, first, end int64, sep string, buf []byte) ([]byte, error) {
	where, args := exportWhere(f, nil)
	query := exportTaskSelect + `
		WHERE t.id < ? AND ` + where + `
		ORDER BY t.id`
	p.reset()
	err := t.each(query, append([]any{end, first - 1}, args...), func(rows *sql.Rows) error {
		return p.scanTask(rows)
	})
	if err != nil {
		return buf, fmt.Errorf("export tasks: %w", err)
	}
	if len(p.tasks) == 0 {
		return buf, nil
	}
	if err := p.loadChildren(t); err != nil {
		return buf, err
	}
	for i := range p.tasks {
		buf = append(buf, sep...)
		if buf, err = p.appendTask(buf, i); err != nil {
			return buf, err
		}
		buf = append(buf, '\n')
	}
	return buf, nil
}
