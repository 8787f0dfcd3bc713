package store

import (
	"errors"
	"net/url"
	"runtime"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// TestPostgresDSNs checks the pooled connections' settings: no session
// state but application_name (PgBouncer in transaction mode), statements
// not prepared by name unless the URL asks, and the pool sizes.
func TestPostgresDSNs(t *testing.T) {
	w, r, writers, readers, err := postgresDSNs("postgres://me:pw@db:5432/rv?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	if w != r {
		t.Errorf("writer %q and reader %q differ: a session setting crept in", w, r)
	}
	u, _ := url.Parse(w)
	q := u.Query()
	if q.Get("default_query_exec_mode") != "cache_describe" || q.Get("application_name") != "reelvault" || q.Get("sslmode") != "disable" {
		t.Errorf("query %v", q)
	}
	for _, p := range []string{"synchronous_commit", "default_transaction_isolation", "default_transaction_read_only"} {
		if q.Has(p) {
			t.Errorf("the URL sets the session parameter %s", p)
		}
	}
	if writers != DefaultPostgresWriterConns || readers != min(runtime.NumCPU()+2, DefaultPostgresConns) {
		t.Errorf("pools %d and %d", writers, readers)
	}

	w, _, writers, readers, err = postgresDSNs("postgres://db/rv?default_query_exec_mode=simple_protocol&reelvault_writers=3&reelvault_readers=5")
	if err != nil {
		t.Fatal(err)
	}
	u, _ = url.Parse(w)
	if got := u.Query().Get("default_query_exec_mode"); got != "simple_protocol" || writers != 3 || readers != 5 || u.Query().Has("reelvault_writers") {
		t.Errorf("mode %q, pools %d and %d, url %s", got, writers, readers, w)
	}

	for _, bad := range []string{"reelvault_writers=0", "reelvault_readers=lots", "reelvault_writers=1001"} {
		_, _, _, _, err := postgresDSNs("postgres://db/rv?" + bad)
		var de *domain.Error
		if domain.ErrorCode(err) != domain.EINVALID || !errors.As(err, &de) || de.Field != "db" {
			t.Errorf("%s: %v, want EINVALID naming db", bad, err)
		}
	}
}
