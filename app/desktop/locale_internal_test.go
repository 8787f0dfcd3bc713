package desktop

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFixLocale(t *testing.T) {
	for _, tt := range []struct {
		name    string
		env     map[string]string
		changed string
		want    map[string]string
	}{
		{"Unset", map[string]string{}, "LANG", map[string]string{"LANG": fallbackLocale}},
		{"CUTF8", map[string]string{"LANG": "C.UTF-8"}, "LANG", map[string]string{"LANG": fallbackLocale}},
		{"POSIXInLCAll", map[string]string{"LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"}, "LC_ALL", map[string]string{"LC_ALL": fallbackLocale, "LANG": "de_DE.UTF-8"}},
		{"RealLocaleKept", map[string]string{"LANG": "zh_CN.UTF-8"}, "", map[string]string{"LANG": "zh_CN.UTF-8"}},
		{"LCMessagesDecides", map[string]string{"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "C"}, "", map[string]string{"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "C"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			got := fixLocale(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
			if got != tt.changed {
				t.Fatalf("changed %q, want %q", got, tt.changed)
			}
			for k, v := range tt.want {
				if env[k] != v {
					t.Fatalf("%s=%q, want %q", k, env[k], v)
				}
			}
		})
	}
}

func TestSystemLanguage(t *testing.T) {
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ChineseLang", map[string]string{"LANG": "zh_CN.UTF-8"}, "zh-CN"},
		{"ModifierAndCodeset", map[string]string{"LANG": "de_DE.UTF-8@euro"}, "de-DE"},
		{"LanguageOnly", map[string]string{"LANG": "fr"}, "fr"},
		{"LCAllFirst", map[string]string{"LC_ALL": "zh_TW.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_US.UTF-8"}, "zh-TW"},
		{"LCMessagesBeforeLang", map[string]string{"LC_MESSAGES": "zh_CN.GB18030", "LANG": "en_GB.UTF-8"}, "zh-CN"},
		{"POSIXDecides", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}, ""},
		{"Unset", map[string]string{}, ""},
		{"NotALocale", map[string]string{"LANG": `"><script>`}, ""},
		{"BadRegion", map[string]string{"LANG": "zh_C1"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := systemLanguage(func(k string) string { return tt.env[k] }); got != tt.want {
				t.Fatalf("systemLanguage = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestWithSystemLanguage(t *testing.T) {
	assets := fstest.MapFS{"index.html": {Data: []byte("<!doctype html>\n<html lang=\"en\">\n  <head>\n    <title>Reelvault</title>\n  </head>\n</html>\n")}}
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "next "+r.URL.Path) })
	get := func(t *testing.T, h http.Handler, path string) (string, string) {
		t.Helper()
		srv := httptest.NewServer(h)
		defer srv.Close()
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b), resp.Header.Get("Content-Type")
	}
	h := withSystemLanguage(assets, "zh-CN", next)
	for _, path := range []string{"/", "/index.html"} {
		body, ctype := get(t, h, path)
		if !strings.Contains(body, `<head><meta name="reelvault-language" content="zh-CN" />`) || !strings.Contains(body, "<title>Reelvault</title>") {
			t.Fatalf("GET %s = %q, want the page with the language meta at the top of its head", path, body)
		}
		if !strings.HasPrefix(ctype, "text/html") {
			t.Fatalf("GET %s Content-Type %q, want text/html (Wails injects its runtime only into HTML)", path, ctype)
		}
	}
	if body, _ := get(t, h, "/assets/app.js"); body != "next /assets/app.js" {
		t.Fatalf("GET /assets/app.js = %q, want it passed on", body)
	}
	for name, h := range map[string]http.Handler{
		"NoLanguage": withSystemLanguage(assets, "", next),
		"NoPage":     withSystemLanguage(fstest.MapFS{}, "zh-CN", next),
		"NoAssets":   withSystemLanguage(nil, "zh-CN", next),
	} {
		if body, _ := get(t, h, "/"); body != "next /" {
			t.Fatalf("%s: GET / = %q, want it passed on unchanged", name, body)
		}
	}
}
