package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/reelvault/reelvault/domain"
)

// MaxImportBytes bounds an import upload and a backup upload, the bodies
// allowed past MaxBodyBytes: both are owner only and streamed to a file,
// not held in memory.
const MaxImportBytes = 4 << 30

// Response bodies of the routes for drills and uploads.
type (
	provenResponse struct {
		Proven []*domain.Proven `json:"proven"`
	}
	// exportRequest is the body of POST /api/v1/export: a selection too
	// long for a URL.
	exportRequest struct {
		TaskIDs []string `json:"task_ids"`
		Format  string   `json:"format,omitempty"`
	}
	uploadResponse struct {
		Backup *domain.Backup  `json:"backup"`
		Set    *domain.SetInfo `json:"set"`
	}
)

func (s *Server) backupRoutes() []Route {
	return []Route{
		{"GET", "/api/v1/backups", Owner, "backups", s.withBackup(s.handleListBackups)},
		{"POST", "/api/v1/backups", Owner, "backups", s.withBackup(s.handleCreateBackup)},
		{"DELETE", "/api/v1/backups/{name}", Owner, "backups", s.withBackup(s.handleDeleteBackup)},
		{"GET", "/api/v1/backups/{name}/download", Owner, "backups", s.withBackup(s.handleDownloadBackup)},
		{"POST", "/api/v1/backups/{name}/restore", Owner, "backups", s.withBackup(s.handleRestore)},
		{"POST", "/api/v1/restore/undo", Owner, "backups", s.withBackup(s.handleUndoRestore)},
		{"GET", "/api/v1/export", Owner, "backups", s.withExport(s.handleExport)},
		{"POST", "/api/v1/export", Owner, "backups", s.withExport(s.handleExportSelection)},
		{"POST", "/api/v1/import", Owner, "backups", s.withExport(s.handleImport)},
		{"GET", "/api/v1/schedule", Owner, "backups", s.withBackup(s.handleGetSchedule)},
		{"PUT", "/api/v1/schedule", Owner, "backups", s.withBackup(s.handleSetSchedule)},
		{"GET", "/api/v1/jobs", Owner, "backups", s.withBackup(s.handleListJobs)},
		{"POST", "/api/v1/maintenance/{op}", Owner, "backups", s.withBackup(s.handleMaintenance)},
		{"GET", "/api/v1/backups/{name}/preview", Owner, "backups", s.withBackup(s.handlePreviewTasks)},
		{"POST", "/api/v1/backups/{name}/restore-tasks", Owner, "backups", s.withBackup(s.handleRestoreTasks)},
		{"POST", "/api/v1/backups/upload", Owner, "backups", s.withBackup(s.handleUploadBackup)},
		{"GET", "/api/v1/drills", Owner, "backups", s.withBackup(s.handleProven)},
		{"POST", "/api/v1/drills", Owner, "backups", s.withBackup(s.handleDrill)},
	}
}

// withBackup answers 404 when the server runs without a backup service.
func (s *Server) withBackup(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Backup == nil {
			return domain.Errorf(domain.ENOTFOUND, "Backups are not available in this server.")
		}
		return h(w, r)
	}
}

// withExport answers 404 when the server runs without an export service.
func (s *Server) withExport(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if s.cfg.Export == nil {
			return domain.Errorf(domain.ENOTFOUND, "Backups are not available in this server.")
		}
		return h(w, r)
	}
}

func (s *Server) handleListBackups(w http.ResponseWriter, r *http.Request) error {
	list, err := s.cfg.Backup.Backups(r.Context())
	if err != nil {
		return err
	}
	l := domain.NewBackupList(list)
	if l.Dir, l.Undo, err = s.cfg.Backup.Place(r.Context()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (s *Server) handleDeleteBackup(w http.ResponseWriter, r *http.Request) error {
	if err := s.cfg.Backup.DeleteBackup(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleCreateBackup(w http.ResponseWriter, r *http.Request) error {
	var in createBackupRequest
	if err := decodeJSON(w, r, &in, true); err != nil {
		return err
	}
	if in.DBOnly || in.To != "" {
		ds := s.destinations()
		if ds == nil {
			return domain.Invalidf("to", "This server takes database backups only.")
		}
		b, err := ds.BackupTo(r.Context(), in.To, in.DBOnly)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, b)
		return nil
	}
	b, err := s.cfg.Backup.Backup(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (s *Server) handleDownloadBackup(w http.ResponseWriter, r *http.Request) error {
	b, f, err := s.cfg.Backup.OpenBackup(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	defer f.Close()
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", b.Name))
	w.Header().Set("Content-Type", "application/octet-stream")
	serveContent(w, r, b.Name, b.CreatedAt, f)
	return nil
}

func (s *Server) handleRestore(w http.ResponseWriter, r *http.Request) error {
	var in domain.RestoreRequest
	if err := decodeJSON(w, r, &in, true); err != nil {
		return err
	}
	if ds := s.destinations(); ds != nil {
		res, err := ds.RestoreSet(r.Context(), r.PathValue("name"), in)
		if err != nil {
			return err
		}
		s.keepSession(r)
		writeJSON(w, http.StatusOK, res)
		return nil
	}
	if in != (domain.RestoreRequest{}) {
		return domain.Invalidf("into", "This server restores databases only.")
	}
	res, err := s.cfg.Backup.Restore(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	s.keepSession(r)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleUndoRestore(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	res, err := s.cfg.Backup.UndoRestore(r.Context())
	if err != nil {
		return err
	}
	s.keepSession(r)
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var f domain.ExportFilter
	for k := range q {
		switch k {
		case "format", "user", "status", "since", "until", "task_ids":
		default:
			return domain.Invalidf(k, "Unknown query parameter %q.", k)
		}
	}
	switch q.Get("format") {
	case "", "json":
	case "ndjson":
		f.NDJSON = true
	default:
		return domain.Invalidf("format", "format must be json or ndjson, not %q.", q.Get("format"))
	}
	f.Username = q.Get("user")
	for _, v := range q["status"] {
		if !domain.Status(v).Valid() {
			return domain.Invalidf("status", "Unknown status %q.", v)
		}
		f.Status = append(f.Status, domain.Status(v))
	}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(p.name); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return domain.Invalidf(p.name, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time, not %q.", p.name, v)
			}
			*p.dst = &t
		}
	}
	ids, err := parseTaskIDs(q["task_ids"])
	if err != nil {
		return err
	}
	f.TaskIDs = ids
	return s.streamExport(w, r, f)
}

// handleExportSelection exports the tasks named in the body, for selections
// whose IDs do not fit in a URL (up to domain.MaxSelection).
func (s *Server) handleExportSelection(w http.ResponseWriter, r *http.Request) error {
	var in exportRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	var f domain.ExportFilter
	switch in.Format {
	case "", "json":
	case "ndjson":
		f.NDJSON = true
	default:
		return domain.Invalidf("format", "format must be json or ndjson, not %q.", in.Format)
	}
	if len(in.TaskIDs) == 0 {
		return domain.Invalidf("task_ids", "task_ids is required: the IDs of the tasks to export.")
	}
	f.TaskIDs = in.TaskIDs
	return s.streamExport(w, r, f)
}

// streamExport validates f and streams the export it selects as a download.
func (s *Server) streamExport(w http.ResponseWriter, r *http.Request, f domain.ExportFilter) error {
	if err := f.Validate(); err != nil {
		return err
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	ext, ctype := "json", "application/json"
	if f.NDJSON {
		ext, ctype = "ndjson", "application/x-ndjson"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"reelvault-export.%s\"", ext))
	// Once the first byte is out the status is sent; a later failure can
	// only cut the stream short, which a JSON reader notices.
	cw := &committedWriter{w: w}
	if err := s.cfg.Export.Export(r.Context(), cw, f); err != nil {
		if cw.n > 0 {
			s.logger.Error("export failed mid-stream", "err", err)
			return nil
		}
		return err
	}
	return nil
}

// committedWriter counts bytes written, to tell whether headers went out.
type committedWriter struct {
	w io.Writer
	n int64
}

func (c *committedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > MaxImportBytes {
		return &domain.Error{Code: ETOOLARGE, Field: "body", Message: fmt.Sprintf("The import file is larger than %d bytes.", int64(MaxImportBytes))}
	}
	// A large upload may take longer than the server's read timeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes)
	res, err := s.cfg.Export.Import(r.Context(), body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleGetSchedule(w http.ResponseWriter, r *http.Request) error {
	sch, err := s.cfg.Backup.Schedule(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sch)
	return nil
}

func (s *Server) handleSetSchedule(w http.ResponseWriter, r *http.Request) error {
	var in domain.Schedule
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	sch, err := s.cfg.Backup.SetSchedule(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sch)
	return nil
}

func (s *Server) handleListJobs(w http.ResponseWriter, r *http.Request) error {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return domain.Invalidf("limit", "limit must be an integer from 1 to 1000, not %q.", v)
		}
		limit = n
	}
	jobs, err := s.cfg.Backup.Jobs(r.Context(), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, domain.NewJobList(jobs))
	return nil
}

func (s *Server) handleMaintenance(w http.ResponseWriter, r *http.Request) error {
	if err := decodeJSON(w, r, &struct{}{}, true); err != nil {
		return err
	}
	run, err := s.cfg.Backup.Maintain(r.Context(), r.PathValue("op"))
	// A run that failed is a result to show (its error is recorded in the
	// job log too); refusals such as an unknown operation are errors.
	if err != nil && (run == nil || domain.ErrorCode(err) != domain.EINTERNAL) {
		return err
	}
	writeJSON(w, http.StatusOK, run)
	return nil
}

func (s *Server) handlePreviewTasks(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Backup.PreviewTasks(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// restoreTasksRequest is the body of a restore of chosen tasks.
type restoreTasksRequest struct {
	Tasks []string `json:"tasks"`
}

func (s *Server) handleRestoreTasks(w http.ResponseWriter, r *http.Request) error {
	var in restoreTasksRequest
	if err := decodeJSON(w, r, &in, false); err != nil {
		return err
	}
	res, err := s.cfg.Backup.RestoreTasks(r.Context(), r.PathValue("name"), in.Tasks)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleUploadBackup(w http.ResponseWriter, r *http.Request) error {
	if r.ContentLength > MaxImportBytes {
		return &domain.Error{Code: ETOOLARGE, Field: "body", Message: fmt.Sprintf("The backup file is larger than %d bytes.", int64(MaxImportBytes))}
	}
	// A large upload may take longer than the server's read timeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	b, set, err := s.cfg.Backup.Upload(r.Context(), http.MaxBytesReader(w, r.Body, MaxImportBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &domain.Error{Code: ETOOLARGE, Field: "body", Message: fmt.Sprintf("The backup file is larger than %d bytes.", int64(MaxImportBytes))}
		}
		return err
	}
	writeJSON(w, http.StatusCreated, uploadResponse{Backup: b, Set: set})
	return nil
}

func (s *Server) handleProven(w http.ResponseWriter, r *http.Request) error {
	p, err := s.cfg.Backup.Proven(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, provenResponse{Proven: p})
	return nil
}

// handleDrill runs a drill by hand; no name drills the newest backup, no
// destination the local backups folder.
func (s *Server) handleDrill(w http.ResponseWriter, r *http.Request) error {
	var in domain.DrillRequest
	if err := decodeJSON(w, r, &in, true); err != nil {
		return err
	}
	var res *domain.DrillResult
	var err error
	if d := s.destinations(); d != nil && (in.Destination != "" || in.Passphrase != "") {
		res, err = d.DrillSet(r.Context(), in)
	} else if in.Destination != "" && in.Destination != domain.DestinationLocal {
		return domain.Invalidf("destination", "This server has no backup destinations besides the local folder.")
	} else {
		res, err = s.cfg.Backup.Drill(r.Context(), in.Name)
	}
	// A drill that failed is a result to show (loudly); refusals are errors.
	if err != nil && res == nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
