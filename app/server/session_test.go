package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/reelvault/reelvault/app/server"
	"github.com/reelvault/reelvault/domain"
	"github.com/reelvault/reelvault/store"
)

// sessionOf returns the session cookie a response set, "" when none.
func sessionOf(r *Response) string {
	for _, c := range r.Cookies {
		if c.Name == server.SessionCookie && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// cookie is the Auth of a session cookie value.
func cookie(session string) *Auth {
	return &Auth{Headers: map[string]string{"Cookie": server.SessionCookie + "=" + session}}
}

func TestServer_SessionSurvivesRestart(t *testing.T) {
	e := MustOpenEnv(t)
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, owner)

	// A second server on the same database (serve started again) knows the
	// session; the first one's token does not carry over.
	restarted := server.New(server.Config{Tasks: e.tasks, Users: e.users, Stats: store.NewStatsService(e.db), Sessions: store.NewSessionService(e.db), Now: e.clock.Now})
	req, _ := http.NewRequest("GET", "/api/v1/users", nil)
	req.Host = "127.0.0.1"
	req.AddCookie(&http.Cookie{Name: server.SessionCookie, Value: e.session})
	rec := httptest.NewRecorder()
	restarted.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("after restart: status=%d body=%s", rec.Code, rec.Body)
	}
	if restarted.OwnerToken() == e.srv.OwnerToken() {
		t.Fatal("a restarted server kept the one-time token")
	}

	t.Run("IdleExpiry", func(t *testing.T) {
		e.clock.Advance(domain.SessionIdle + 1)
		r := e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, owner)
		if msg := r.Err(t).Error.Message; !strings.Contains(msg, "reelvault link") {
			t.Fatalf("message %q does not say how to sign in again", msg)
		}
	})
}

func TestServer_SignInLink(t *testing.T) {
	e := MustOpenEnv(t)
	sessions := store.NewSessionService(e.db)
	link, err := sessions.CreateSession(context.Background(), domain.SessionKindLink)
	if err != nil {
		t.Fatal(err)
	}

	r := e.MustDo(http.StatusSeeOther, "GET", "/?token="+link+"&lang=en", nil, nil)
	if got, want := r.Header.Get("Location"), "/?lang=en"; got != want {
		t.Fatalf("Location=%q, want %q", got, want)
	}
	session := sessionOf(r)
	if session == "" {
		t.Fatal("the link set no session cookie")
	}
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, cookie(session))

	t.Run("UsedLinkSignedIn", func(t *testing.T) {
		// The browser that used it is signed in: it just goes on.
		r := e.MustDo(http.StatusSeeOther, "GET", "/?token="+link, nil, cookie(session))
		if got := r.Header.Get("Location"); got != "/" {
			t.Fatalf("Location=%q, want /", got)
		}
	})

	t.Run("UsedLinkPage", func(t *testing.T) {
		r := e.MustDo(http.StatusUnauthorized, "GET", "/?token="+link, nil, &Auth{Headers: map[string]string{"Accept": "text/html", "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}})
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("Content-Type=%q, want an HTML page", ct)
		}
		body := string(r.Body)
		for _, want := range []string{"This sign-in link no longer works", "reelvault link", `lang="en"`} {
			if !strings.Contains(body, want) {
				t.Fatalf("page lacks %q:\n%s", want, body)
			}
		}
		if strings.Contains(body, `"error"`) {
			t.Fatal("the page shows the API's JSON")
		}
	})

	t.Run("UsedLinkPageChinese", func(t *testing.T) {
		r := e.MustDo(http.StatusUnauthorized, "GET", "/task/x?token=forged", nil, &Auth{Headers: map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}})
		body := string(r.Body)
		for _, want := range []string{"此登录链接已失效", "reelvault link", `lang="zh-CN"`} {
			if !strings.Contains(body, want) {
				t.Fatalf("page lacks %q:\n%s", want, body)
			}
		}
		if got := r.Header.Get("Content-Language"); got != "zh-CN" {
			t.Fatalf("Content-Language=%q", got)
		}
	})

	t.Run("LanguagePreference", func(t *testing.T) {
		for header, want := range map[string]string{
			"":                         `lang="en"`,
			"zh":                       `lang="zh-CN"`,
			"en-GB;q=0.4, zh-TW;q=0.8": `lang="zh-CN"`,
			"zh;q=0, en":               `lang="en"`,
			"de, en-US;q=0.7":          `lang="en"`,
		} {
			r := e.Do("GET", "/?token=forged", nil, &Auth{Headers: map[string]string{"Accept-Language": header}})
			if !strings.Contains(string(r.Body), want) {
				t.Fatalf("Accept-Language %q: page lacks %s", header, want)
			}
		}
	})

	t.Run("APIStaysJSON", func(t *testing.T) {
		r := e.MustDo(http.StatusUnauthorized, "POST", "/api/v1/session", map[string]string{"token": link}, nil)
		if got, want := r.Err(t).Error.Code, domain.EUNAUTHORIZED; got != want {
			t.Fatalf("code=%q, want %q", got, want)
		}
	})
}

func TestServer_EndAllSessions(t *testing.T) {
	e := MustOpenEnv(t)
	other := sessionOf(e.MustDo(http.StatusNoContent, "POST", "/api/v1/session", map[string]string{"token": e.srv.OwnerToken()}, nil))
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, cookie(other))

	e.MustDo(http.StatusForbidden, "DELETE", "/api/v1/sessions", nil, key(mustKey(t, e)))
	r := e.MustDo(http.StatusOK, "DELETE", "/api/v1/sessions", nil, owner)
	var out struct{ Ended int }
	r.Decode(t, &out)
	if got, want := out.Ended, 2; got != want {
		t.Fatalf("ended=%d, want %d", got, want)
	}
	cleared := false
	for _, c := range r.Cookies {
		cleared = cleared || (c.Name == server.SessionCookie && c.MaxAge < 0)
	}
	if !cleared {
		t.Fatal("the caller's cookie was not cleared")
	}
	e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, owner)
	e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, cookie(other))
}

// mustKey creates a user and returns its API key.
func mustKey(t *testing.T, e *env) string {
	t.Helper()
	_, k := e.MustCreateUser("pipeline", 5)
	return k
}

// TestServer_MemorySessions runs the session rules on a server built without
// a SessionService: sessions live in memory and end with it.
func TestServer_MemorySessions(t *testing.T) {
	e := MustOpenEnv(t, func(c *server.Config) { c.Sessions = nil })
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, owner)
	r := e.MustDo(http.StatusOK, "DELETE", "/api/v1/sessions", nil, owner)
	var out struct{ Ended int }
	r.Decode(t, &out)
	if out.Ended != 1 {
		t.Fatalf("ended=%d, want 1", out.Ended)
	}
	e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, owner)
	// A link that was never made is refused with the page.
	e.MustDo(http.StatusUnauthorized, "GET", "/?token=unknown", nil, nil)
	e.clock.Advance(domain.SessionMaxAge)
	session := sessionOf(e.MustDo(http.StatusNoContent, "POST", "/api/v1/session", map[string]string{"token": e.srv.OwnerToken()}, nil))
	e.MustDo(http.StatusOK, "GET", "/api/v1/users", nil, cookie(session))
	e.MustDo(http.StatusNoContent, "DELETE", "/api/v1/session", nil, cookie(session))
	e.MustDo(http.StatusUnauthorized, "GET", "/api/v1/users", nil, cookie(session))
}

// TestServer_EventsEndWithSession proves the owner's open event stream ends
// soon after its session does, so the page can say it was signed out.
func TestServer_EventsEndWithSession(t *testing.T) {
	e := MustOpenEnv(t)
	events := openStream(t, e, owner, "")
	e.MustDo(http.StatusOK, "DELETE", "/api/v1/sessions", nil, owner)
	waitClosed(t, events, 3*server.KeyRecheckEvery+2*time.Second)
}
