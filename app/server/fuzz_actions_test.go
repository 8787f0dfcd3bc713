package server_test

import (
	"net/http"
	"testing"

	"github.com/reelvault/reelvault/domain"
)

// Fuzz targets for the bodies of the action endpoints that take an empty
// body or an empty object: whatever is sent, the reply keeps the invariants
// of checkReply, and a refused request changes nothing.

func FuzzCancelBody(f *testing.F) {
	fuzzTaskBody(f, "POST", "/cancel", true, ``, `{}`, `{"reason":"x"}`, `[]`, `null`, `{}{}`)
}

// FuzzUserActionBody sends arbitrary bodies to rotate-key, deactivate and
// activate: a refused request leaves the user's key and state as they were.
func FuzzUserActionBody(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"active":false}`, `[]`, `null`, `{"key":"rv_x"}`} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	e := MustOpenEnv(f)
	e.MustCreateUser("fuzz", 7)
	ops := []string{"rotate-key", "deactivate", "activate"}
	f.Fuzz(func(t *testing.T, body []byte, op uint8) {
		e.t = t
		ctx := domain.WithOwner(t.Context())
		before, _ := e.users.FindUserByName(ctx, "fuzz")
		r := e.Do("POST", "/api/v1/users/fuzz/"+ops[int(op)%len(ops)], body, owner)
		checkReply(t, r, body)
		after, _ := e.users.FindUserByName(ctx, "fuzz")
		if r.Status >= 400 && (after.KeyPrefix != before.KeyPrefix || after.IsActive != before.IsActive) {
			t.Fatalf("refused %q (%d) but the user changed: %+v → %+v", body, r.Status, before, after)
		}
		if r.Status == http.StatusOK && ops[int(op)%len(ops)] == "rotate-key" && after.KeyPrefix == before.KeyPrefix {
			t.Fatalf("rotate-key answered 200 but the key prefix stayed %q", after.KeyPrefix)
		}
	})
}
