package server

import (
	"reflect"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

type keysInner struct {
	Name string `json:"name"`
}

type keysBase struct {
	Quota int `json:"quota"`
}

type keysBody struct {
	*keysBase
	Items   []keysInner          `json:"items"`
	ByName  map[string]keysInner `json:"by_name"`
	Skipped string               `json:"-"`
	Plain   string
	hidden  string
}

// checkKeys takes each field only as the API spells it, inside maps,
// arrays and embedded structs too, and names the first key it does not
// know; a key json:"-" hides, an unexported field and null are not keys.
func TestCheckKeys(t *testing.T) {
	typ := reflect.TypeOf(&keysBody{})
	for _, ok := range []string{
		`{"quota": 1, "items": [{"name": "a"}], "by_name": {"x": {"name": "b"}}, "Plain": "p"}`,
		`{"items": null, "by_name": null}`,
		`null`,
	} {
		if err := checkKeys([]byte(ok), typ); err != nil {
			t.Fatalf("checkKeys(%s)=%v, want nil", ok, err)
		}
	}
	for _, tt := range []struct{ body, field string }{
		{`{"quotA": 1}`, "quotA"},
		{`{"items": [{"name": "a"}, {"Name": "b"}]}`, "Name"},
		{`{"by_name": {"x": {"nome": "b"}}}`, "nome"},
		{`{"Skipped": "x"}`, "Skipped"},
		{`{"hidden": "x"}`, "hidden"},
		{`{"plain": "x"}`, "plain"},
	} {
		err := checkKeys([]byte(tt.body), typ)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorField(err) != tt.field {
			t.Fatalf("checkKeys(%s)=%v, want invalid naming %s", tt.body, err, tt.field)
		}
	}
	_ = keysBody{hidden: ""}
}
