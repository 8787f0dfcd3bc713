package store_test

import (
	"context"
	"testing"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// seedLibrary gives the tasks ids (at least 5, the fifth one finished as
// the copy and export seeds finish it) every kind of library data: stars,
// ratings, Chinese and English tags, collections with and without a
// cover, a rerun and a trashed task.
func seedLibrary(tb testing.TB, db *store.DB, ids []string) {
	tb.Helper()
	ctx := domain.WithOwner(context.Background())
	lib := store.NewLibraryService(db)
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	_, err := lib.SetStar(ctx, ids[0], true)
	must(err)
	_, err = lib.SetRating(ctx, ids[1], 4)
	must(err)
	_, err = lib.TagTask(ctx, ids[0], []string{"夜景", "Drone"}, nil)
	must(err)
	_, err = lib.TagTask(ctx, ids[2], []string{"drone"}, nil)
	must(err)
	_, err = lib.CreateCollection(ctx, "Trailer v2")
	must(err)
	_, err = lib.CreateCollection(ctx, "空的")
	must(err)
	_, err = lib.AddToCollection(ctx, "Trailer v2", []string{ids[0], ids[2]})
	must(err)
	_, err = lib.SetCollectionCover(ctx, "Trailer v2", ids[2])
	must(err)
	_, err = lib.RerunTask(ctx, ids[4], domain.RerunInput{})
	must(err)
	_, err = lib.TrashTasks(ctx, []string{ids[3]}, domain.TrashOptions{})
	must(err)
}
