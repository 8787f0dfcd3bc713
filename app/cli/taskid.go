package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// taskIDFinder is the part of a task service that finds IDs by their first
// characters (the store's TaskService has it).
type taskIDFinder interface {
	FindTaskIDsByPrefix(ctx context.Context, prefix string, limit int) ([]string, error)
}

// maxCandidates is how many matching IDs an ambiguous prefix error lists.
const maxCandidates = 5

// resolveTaskID turns what a person typed for a task ID into the ID: a whole
// ID as it is, or the one task whose ID starts with the typed characters
// (at least store.MinTaskIDPrefix). A prefix that fits several tasks is
// EINVALID listing them; one that fits none is left to the command, whose
// lookup answers ENOTFOUND.
func (env *Env) resolveTaskID(ctx context.Context, svc *Services, typed string) (string, error) {
	f, ok := svc.Tasks.(taskIDFinder)
	if !ok || len(typed) < store.MinTaskIDPrefix || len(typed) >= 36 {
		return typed, nil
	}
	ids, err := f.FindTaskIDsByPrefix(ctx, typed, maxCandidates+1)
	if err != nil {
		return "", err
	}
	switch {
	case len(ids) == 0:
		return typed, nil
	case len(ids) == 1:
		return ids[0], nil
	}
	list := ids
	more := ""
	if len(ids) > maxCandidates {
		list, more = ids[:maxCandidates], ", …"
	}
	return "", domain.Invalidf("id", "The task ID %q is ambiguous: it starts %s%s. Type more characters.", typed, strings.Join(list, ", "), more)
}

// checkMediaFile looks for the file a command is about to record (flag is
// the flag that named it, field the service's field for it). A missing file
// is recorded anyway with a warning on stderr, since a pipeline may write
// the file after it reports it; with --strict it is refused (EINVALID) and
// nothing changes.
func (env *Env) checkMediaFile(flag, field, path string, strict bool) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if strict {
		return domain.Invalidf(field, "The file %s does not exist; nothing was recorded.", path)
	}
	env.warn(field, fmt.Sprintf("--%s: the file %s does not exist; recorded anyway (pass --strict to refuse).", flag, path))
	return nil
}

// warning is what a warning looks like on stderr with --json.
type warning struct {
	Warning struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"warning"`
}

// warn tells the person about something that did not stop the command: a
// "warning: …" line on stderr, or one JSON object there with --json.
func (env *Env) warn(field, msg string) {
	if env.Config.JSON {
		var w warning
		w.Warning.Code, w.Warning.Message, w.Warning.Field = "warning", msg, field
		b, _ := json.Marshal(w)
		fmt.Fprintf(env.Stderr, "%s\n", b)
		return
	}
	fmt.Fprintf(env.Stderr, "warning: %s\n", msg)
}
