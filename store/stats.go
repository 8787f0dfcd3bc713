package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// StatsService implements domain.StatsService on a DB.
type StatsService struct {
	db *DB
	// ScanLimit is the database size up to which Status measures every
	// table's size (dbstat reads every page of the file); a larger database
	// reports the sizes last measured in the background instead.
	ScanLimit int64

	sizesMu   sync.Mutex
	sizes     []domain.TableSize // last measured, for a database over ScanLimit
	measuring bool
}

// DefaultStatusScanLimit is the default StatsService.ScanLimit: a file this
// size is read in well under 100 ms.
const DefaultStatusScanLimit = 64 << 20

var _ domain.StatsService = (*StatsService)(nil)

// NewStatsService returns a StatsService on db.
func NewStatsService(db *DB) *StatsService {
	return &StatsService{db: db, ScanLimit: DefaultStatusScanLimit}
}

// statsCounters are the statistics columns bumpStats may increment.
var statsCounters = map[string]bool{
	"total_tasks":     true,
	"completed_tasks": true,
	"failed_tasks":    true,
	"cancelled_tasks": true,
	"total_videos":    true,
}

// bumpStats adds one to column of date's statistics (and seconds to the
// video seconds), in the caller's transaction.
//
// On PostgreSQL, where writers run in parallel, the day's row is the one
// row nearly every write changes, and a changed row stays locked until the
// transaction ends: the change is made at the end of the transaction (see
// tx.last), so that concurrent writers queue on it only for their last
// statements and commit.
func bumpStats(tx *tx, date, column string, seconds float64) error {
	if !statsCounters[column] {
		panic("bumpStats: unknown column " + column)
	}
	if tx.db.dialect.isPostgres() {
		tx.last = append(tx.last, func() error { return bumpStatsNow(tx, date, column, seconds) })
		return nil
	}
	return bumpStatsNow(tx, date, column, seconds)
}

// bumpStatsNow is bumpStats, at once.
func bumpStatsNow(tx *tx, date, column string, seconds float64) error {
	seconds = clampSeconds(seconds)
	_, err := tx.exec(`
		INSERT INTO statistics (date, `+column+`, total_video_seconds) VALUES (?, 1, ?)
		ON CONFLICT (date) DO UPDATE SET
			`+column+` = statistics.`+column+` + 1,
			total_video_seconds = statistics.total_video_seconds + excluded.total_video_seconds`,
		date, seconds)
	if err != nil {
		return fmt.Errorf("update statistics: %w", err)
	}
	return nil
}

// dayRange returns the microsecond bounds [start, end) of a YYYY-MM-DD day.
func dayRange(date string) (int64, int64) {
	d, _ := time.Parse(time.DateOnly, date)
	return micros(d), micros(d.AddDate(0, 0, 1))
}

// addGenerationTime counts the generation time d (nil: none) of a task
// just completed on date in the day's histogram and refreshes the day's
// average and p95 from it: O(1) whatever the day's number of completions.
// A day whose histogram was not built yet (written by an older version)
// gets it built once from the day's tasks, which already include the task
// just written.
func addGenerationTime(tx *tx, date string, d *float64) error {
	if tx.db.dialect.isPostgres() {
		// After the day's counters (see bumpStats), which lock its row.
		tx.last = append(tx.last, func() error { return addGenerationTimeNow(tx, date, d) })
		return nil
	}
	return addGenerationTimeNow(tx, date, d)
}

// addGenerationTimeNow is addGenerationTime, at once.
func addGenerationTimeNow(tx *tx, date string, d *float64) error {
	// On PostgreSQL completions run in parallel: the day's row is locked
	// before its histogram is read, so each adds to the other's.
	lock := ""
	if tx.db.dialect.isPostgres() {
		lock = " FOR UPDATE"
	}
	var stored []sql.NullString
	if err := tx.sel(&stored, `SELECT generation_histogram FROM statistics WHERE date = ?`+lock, date); err != nil {
		return fmt.Errorf("generation times: %w", err)
	}
	var h *genHist
	if len(stored) == 0 || !stored[0].Valid {
		var err error
		if h, err = dayHistogram(tx, date); err != nil {
			return err
		}
	} else {
		var err error
		if h, err = decodeHist(stored[0].String); err != nil {
			return err
		}
		if d != nil {
			h.add(*d)
		}
	}
	enc, err := h.encode()
	if err != nil {
		return err
	}
	if _, err := tx.exec(`
		UPDATE statistics SET
			avg_generation_time = ?,
			p95_generation_time = ?,
			generation_histogram = ?
		WHERE date = ?`, h.avg(), h.p95(), enc, date); err != nil {
		return fmt.Errorf("update statistics: %w", err)
	}
	return nil
}

// dayHistogram builds the generation-time histogram of the tasks completed
// on date from the tasks.
func dayHistogram(tx *tx, date string) (*genHist, error) {
	start, end := dayRange(date)
	var durations []float64
	if err := tx.sel(&durations, `
		SELECT duration
		FROM tasks
		WHERE completed_at >= ? AND completed_at < ?
			AND status = 'completed' AND duration IS NOT NULL`, start, end); err != nil {
		return nil, fmt.Errorf("generation times: %w", err)
	}
	h := &genHist{}
	for _, d := range durations {
		h.add(d)
	}
	return h, nil
}

// finite returns v as a statistic: NaN as 0 and any value beyond the
// bounds a statistic can reach (+Inf left by older versions) clamped, so a
// poisoned row never stops the statistics from being read or encoded.
func finite(v float64) float64 {
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > math.MaxFloat64/2:
		return math.MaxFloat64 / 2
	}
	return v
}

const statsColumns = `
	date,
	total_tasks,
	completed_tasks,
	failed_tasks,
	cancelled_tasks,
	total_videos,
	total_video_seconds,
	avg_generation_time,
	p95_generation_time`

// DailyStats returns one row per active day in [from, to], oldest first.
func (s *StatsService) DailyStats(ctx context.Context, from, to string) ([]*domain.DayStats, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	for field, v := range map[string]string{"from": from, "to": to} {
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return nil, domain.Invalidf(field, "The date %q is not a valid YYYY-MM-DD date.", v)
		}
	}
	if to == "" {
		to = "9999-12-31"
	}
	var days []*domain.DayStats
	err := s.db.read(ctx, false, func(tx *tx) error {
		return tx.sel(&days, `SELECT`+statsColumns+` FROM statistics WHERE date >= ? AND date <= ? ORDER BY date`, from, to)
	})
	if err != nil {
		return nil, fmt.Errorf("daily stats: %w", err)
	}
	for _, d := range days {
		d.TotalVideoSeconds = finite(d.TotalVideoSeconds)
		d.AvgGenerationTime = finite(d.AvgGenerationTime)
		d.P95GenerationTime = finite(d.P95GenerationTime)
	}
	return days, nil
}

// RebuildStats recomputes every day's statistics from the tasks and videos
// in one transaction.
func (s *StatsService) RebuildStats(ctx context.Context) error {
	if _, err := ownerFrom(ctx); err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *tx) error {
		days, hists, err := computeStats(tx)
		if err != nil {
			return err
		}
		if _, err := tx.exec(`DELETE FROM statistics`); err != nil {
			return fmt.Errorf("rebuild statistics: %w", err)
		}
		stmt, err := tx.prepare(`INSERT INTO statistics (` + statsColumns + `, generation_histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return fmt.Errorf("rebuild statistics: %w", err)
		}
		defer stmt.Close()
		for _, d := range days {
			if _, err := stmt.ExecContext(tx.ctx, d.Date, d.TotalTasks, d.CompletedTasks, d.FailedTasks, d.CancelledTasks,
				d.TotalVideos, d.TotalVideoSeconds, d.AvgGenerationTime, d.P95GenerationTime, hists[d.Date]); err != nil {
				return fmt.Errorf("rebuild statistics: %w", err)
			}
		}
		return nil
	})
}

// computeStats aggregates the statistics of every day from scratch, with
// each day's stored generation histogram. Generation times go through the
// same histogram as the incremental updates, so a rebuild stores exactly
// what the updates would have.
func computeStats(tx *tx) ([]*domain.DayStats, map[string]sql.NullString, error) {
	days := map[string]*domain.DayStats{}
	get := func(date string) *domain.DayStats {
		d := days[date]
		if d == nil {
			d = &domain.DayStats{Date: date}
			days[date] = d
		}
		return d
	}
	dateOf := tx.db.dialect.dayOf("%s")

	var created []struct {
		Date string `db:"date"`
		N    int    `db:"n"`
	}
	if err := tx.sel(&created, `SELECT `+fmt.Sprintf(dateOf, "created_at")+` AS date, count(*) AS n FROM tasks GROUP BY 1`); err != nil {
		return nil, nil, fmt.Errorf("count created tasks: %w", err)
	}
	for _, c := range created {
		get(c.Date).TotalTasks = c.N
	}

	var finished []struct {
		Date     string   `db:"date"`
		Status   string   `db:"status"`
		Duration *float64 `db:"duration"`
	}
	if err := tx.sel(&finished, `SELECT `+fmt.Sprintf(dateOf, "completed_at")+` AS date, status, duration FROM tasks WHERE completed_at IS NOT NULL`); err != nil {
		return nil, nil, fmt.Errorf("count finished tasks: %w", err)
	}
	hists := map[string]*genHist{}
	for _, f := range finished {
		d := get(f.Date)
		switch domain.Status(f.Status) {
		case domain.StatusCompleted:
			d.CompletedTasks++
			h := hists[f.Date]
			if h == nil {
				h = &genHist{}
				hists[f.Date] = h
			}
			if f.Duration != nil {
				h.add(*f.Duration)
			}
		case domain.StatusFailed:
			d.FailedTasks++
		case domain.StatusCancelled:
			d.CancelledTasks++
		}
	}
	encoded := map[string]sql.NullString{}
	for date, h := range hists {
		d := get(date)
		d.AvgGenerationTime, d.P95GenerationTime = h.avg(), h.p95()
		enc, err := h.encode()
		if err != nil {
			return nil, nil, err
		}
		encoded[date] = sql.NullString{String: enc, Valid: true}
	}

	var videos []struct {
		Date    string  `db:"date"`
		N       int     `db:"n"`
		Seconds float64 `db:"seconds"`
	}
	if err := tx.sel(&videos, `SELECT `+fmt.Sprintf(dateOf, "created_at")+` AS date, count(*) AS n, coalesce(sum(CASE WHEN duration > `+fmt.Sprint(maxStatSeconds)+` THEN `+fmt.Sprint(maxStatSeconds)+` WHEN duration > 0 THEN duration ELSE 0 END), 0) AS seconds FROM videos GROUP BY 1`); err != nil {
		return nil, nil, fmt.Errorf("count videos: %w", err)
	}
	for _, v := range videos {
		d := get(v.Date)
		d.TotalVideos, d.TotalVideoSeconds = v.N, v.Seconds
	}

	out := make([]*domain.DayStats, 0, len(days))
	for _, d := range days {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date < out[j].Date })
	return out, encoded, nil
}

// Status returns file sizes, per-table sizes, row counts and the schema
// version. The row counts are those the triggers of migration 00013 keep
// in row_counts, exact and read in a few rows whatever the size of the
// database. The per-table sizes, which read every page, are measured on
// each call only while the database is at most ScanLimit bytes; above,
// Status answers the sizes measured last and measures again in the
// background, so a large database's status costs milliseconds (Tables is
// empty until a first measurement finished).
func (s *StatsService) Status(ctx context.Context) (*domain.DBStatus, error) {
	if _, err := ownerFrom(ctx); err != nil {
		return nil, err
	}
	st := &domain.DBStatus{Engine: s.db.Engine(), Path: s.db.Path, Counts: map[string]int64{}}
	measured := false
	err := s.db.read(ctx, true, func(tx *tx) error {
		if err := tx.get(&st.SchemaVersion, schemaVersionSQL); err != nil {
			return err
		}
		counts, err := readRowCounts(tx)
		if err != nil {
			return err
		}
		for _, t := range countedTables {
			st.Counts[t] = counts[t]
		}
		measured, err = s.db.dialect.storage(tx, st, s.ScanLimit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("database status: %w", err)
	}
	if !measured {
		st.Tables = s.measuredTables()
	}
	for i := range st.Tables {
		st.Tables[i].Rows = st.Counts[st.Tables[i].Name]
	}
	return st, nil
}

// sqliteStorage fills st's page size, free pages, file and WAL sizes and,
// while the file is at most scanLimit bytes, the per-table sizes (measured
// reports whether it did).
func sqliteStorage(tx *tx, st *domain.DBStatus, scanLimit int64) (measured bool, err error) {
	var pages int64
	if err := tx.get(&st.PageSize, `PRAGMA page_size`); err != nil {
		return false, err
	}
	if err := tx.get(&pages, `PRAGMA page_count`); err != nil {
		return false, err
	}
	if err := tx.get(&st.FreePages, `PRAGMA freelist_count`); err != nil {
		return false, err
	}
	if pages*st.PageSize <= scanLimit {
		if err := measureTables(tx, &st.Tables); err != nil {
			return false, err
		}
		measured = true
	}
	if fi, err := os.Stat(st.Path); err == nil {
		st.FileSize = fi.Size()
	}
	if fi, err := os.Stat(st.Path + "-wal"); err == nil {
		st.WALSize = fi.Size()
	} else if !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return measured, nil
}

// measureTables reads the size of every table and index through dbstat,
// which visits every page.
func measureTables(tx *tx, into *[]domain.TableSize) error {
	return tx.sel(into, `
		SELECT name, sum(pgsize) AS bytes
		FROM dbstat
		GROUP BY name
		ORDER BY bytes DESC, name`)
}

// measuredTables returns a copy of the sizes measured last and starts a new
// measurement in the background unless one runs.
func (s *StatsService) measuredTables() []domain.TableSize {
	s.sizesMu.Lock()
	defer s.sizesMu.Unlock()
	out := append([]domain.TableSize(nil), s.sizes...)
	if !s.measuring {
		s.measuring = true
		go func() {
			var sizes []domain.TableSize
			// Under the DB's lifetime: a process that asked for its
			// status and exits does not wait for the measurement.
			life := s.db.lifetime()
			err := s.db.read(life, false, func(tx *tx) error { return measureTables(tx, &sizes) })
			s.sizesMu.Lock()
			defer s.sizesMu.Unlock()
			s.measuring = false
			if err != nil {
				if life.Err() == nil && !errors.Is(err, errClosed) {
					s.db.Logger.Warn("measure table sizes", "err", err)
				}
				return
			}
			s.sizes = sizes
		}()
	}
	return out
}
