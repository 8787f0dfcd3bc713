package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/reelvault/reelvault/domain"
)

func init() {
	Register(&Command{
		Name:    "scene set",
		Args:    "ID --file scenes.json",
		Summary: "Replace a task's scene scripts with a JSON array of scenes.",
		Run:     runSceneSet,
	})
	Register(&Command{
		Name:    "video add",
		Args:    "ID --scene N --file PATH [--duration S --width W --height H --fps F] [--strict]",
		Summary: "Register the video file of one scene.",
		Run:     runVideoAdd,
	})
}

// maxScenesFile bounds the scenes file read into memory.
const maxScenesFile = 64 << 20

func runSceneSet(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	file := fs.String("file", "", "a JSON array of scenes, - for stdin: [{\"scene_number\":1,\"description\":\"…\",\"duration\":5}]")
	id, svc, err := env.parseTask(ctx, fs, args, "file")
	if err != nil {
		return err
	}
	scripts, err := readScenes(env, *file)
	if err != nil {
		return err
	}
	out, err := svc.Tasks.SetScripts(ctx, id, scripts)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(nonNil(out))
	}
	env.Printf("Set %d scenes on task %s.\n", len(out), id)
	return nil
}

// readScenes reads and decodes the scenes file. Any problem is an EINVALID
// error naming --file, so nothing reaches the store.
func readScenes(env *Env, path string) ([]domain.ScriptInput, error) {
	var (
		data []byte
		err  error
	)
	if path == "-" {
		data, err = io.ReadAll(io.LimitReader(env.Stdin, maxScenesFile+1))
	} else {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			data, err = io.ReadAll(io.LimitReader(f, maxScenesFile+1))
			f.Close()
		}
	}
	if err != nil {
		return nil, domain.Invalidf("file", "--file: cannot read %s: %v.", path, unwrapPathError(err))
	}
	if len(data) > maxScenesFile {
		return nil, domain.Invalidf("file", "--file: %s is larger than %s.", path, fmtBytes(maxScenesFile))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var scripts []domain.ScriptInput
	if err := dec.Decode(&scripts); err != nil {
		return nil, domain.Invalidf("file", "--file: %s is not a JSON array of scenes: %s.", path, jsonProblem(data, err))
	}
	if dec.More() {
		return nil, domain.Invalidf("file", "--file: %s has more than one JSON value.", path)
	}
	if scripts == nil {
		return nil, domain.Invalidf("file", "--file: %s holds null, not an array of scenes.", path)
	}
	return scripts, nil
}

// unwrapPathError drops the operation and path from an *os.PathError, which
// the message already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// jsonProblem describes a decoding error with its line, where it has one.
func jsonProblem(data []byte, err error) string {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("line %d: %v", lineOf(data, syn.Offset), syn)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("line %d: %s must be %s, not %s", lineOf(data, typ.Offset), typ.Field, jsonKind(typ.Type), typ.Value)
		}
		return fmt.Sprintf("want an array, not %s", typ.Value)
	case errors.Is(err, io.EOF):
		return "the file is empty"
	}
	return err.Error()
}

// jsonKind names a Go type as JSON input: "a whole number", "a string", ….
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

func lineOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

func runVideoAdd(ctx context.Context, env *Env, args []string) error {
	fs := env.FlagSet()
	vf := videoFlags(fs, "the scene number, from 1", "the video file (its size is read from it)", "")
	strict := fs.Bool("strict", false, "refuse a --file that does not exist")
	id, svc, err := env.parseTask(ctx, fs, args, "scene", "file")
	if err != nil {
		return err
	}
	in, err := vf.input()
	if err != nil {
		return err
	}
	if err := env.checkMediaFile("file", "file_path", in.FilePath, *strict); err != nil {
		return err
	}
	v, err := svc.Tasks.AddVideo(ctx, id, in)
	if err != nil {
		return err
	}
	if env.Config.JSON {
		return env.PrintJSON(v)
	}
	size := "size unknown"
	if v.FileSize != nil {
		size = fmtBytes(*v.FileSize)
	}
	env.Printf("Added video %d (scene %d, %s) to task %s.\n", v.ID, v.SceneNumber, size, v.TaskID)
	return nil
}
