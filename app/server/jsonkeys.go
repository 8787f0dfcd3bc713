package server

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// checkKeys reports the first object key in data that names no field of t
// exactly. encoding/json matches field names case-insensitively, so
// {"quotA": 10} would set the quota; the API document (and so every client
// generated from it) spells each field one way, and the server takes only
// that spelling. data has already decoded into a value of type t, so it is
// valid JSON of the right shape; nested objects and arrays are checked too.
func checkKeys(data []byte, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil // null, or a shape json already accepted
		}
		fields := jsonFields(t)
		for key, raw := range obj {
			ft, ok := fields[key]
			if !ok {
				return domain.Invalidf(key, "Unknown field %q.", key)
			}
			if err := checkKeys(raw, ft); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return nil
		}
		for _, raw := range items {
			if err := checkKeys(raw, t.Elem()); err != nil {
				return err
			}
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return nil
		}
		for _, raw := range obj {
			if err := checkKeys(raw, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFields maps each JSON name of struct type t, embedded structs'
// promoted fields included, to its field's type.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			et := f.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, ok := fields[k]; !ok {
						fields[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}
