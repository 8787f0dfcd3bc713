package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

func init() {
	Register(&Command{
		Name:    "import",
		Args:    "PATH",
		Summary: "Add the users and tasks of an export file, all or nothing; tasks already present are skipped.",
		Run:     runImport,
	})
}

func runImport(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	pos, err := env.Parse(fs, args, "PATH")
	if err != nil {
		return err
	}
	db, err := env.storeDB(ctx, "Imports")
	if err != nil {
		return err
	}
	f, err := os.Open(pos[0])
	if os.IsNotExist(err) {
		return domain.Errorf(domain.ENOTFOUND, "Export file %s does not exist.", pos[0])
	} else if err != nil {
		return fmt.Errorf("open export file: %w", err)
	}
	defer f.Close()
	var size int64 = -1
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	b := env.newBar("import", size, true)
	res, err := store.NewExportService(db).Import(ctx, b.reader(f))
	b.finish()
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(res)
	}
	env.Printf("Imported %d tasks and %d new users; %d tasks were already present.\n", res.Tasks, res.Users, res.Skipped)
	return nil
}
