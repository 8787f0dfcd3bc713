package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
)

func TestZZPlan(t *testing.T) {
	db := NewDB(t.TempDir() + "/x.db")
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Read(context.Background(), func(r *sqlx.DB) error {
		rows, err := r.Queryx(`EXPLAIN QUERY PLAN `+labelsOfSQL, "[1,2]", "[1,2]")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			m, _ := rows.SliceScan()
			fmt.Println(m...)
		}
		return nil
	})
}
