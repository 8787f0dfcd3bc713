package desktop

import (
	"html"
	"io/fs"
	"net/http"
	"strings"
)

// fallbackLocale replaces the POSIX locale for the webview; see fixLocale.
const fallbackLocale = "en_US.UTF-8"

// fixLocale makes sure the webview gets a real language. WebKitGTK takes
// navigator.language from the locale variables (LC_ALL, then LC_MESSAGES,
// then LANG; LANGUAGE is ignored under the C locale), and the POSIX locale
// ("C", "C.UTF-8", "POSIX": a bare server, a CI machine, a service) becomes
// the tag "C", which Intl rejects: the UI would throw before drawing
// anything. The first variable that is set decides, so only that one is
// replaced; when none is set, LANG is. It returns the variable it changed.
func fixLocale(getenv func(string) string, setenv func(string, string) error) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			if !isPOSIXLocale(v) {
				return ""
			}
			_ = setenv(k, fallbackLocale)
			return k
		}
	}
	_ = setenv("LANG", fallbackLocale)
	return "LANG"
}

// isPOSIXLocale reports whether v names the C/POSIX locale.
func isPOSIXLocale(v string) bool {
	name, _, _ := strings.Cut(v, ".")
	return name == "C" || name == "POSIX"
}

// SystemLanguageMeta is the name of the meta element in which the window's
// index.html carries the system language (frontend/src/i18n reads it).
const SystemLanguageMeta = "reelvault-language"

// systemLanguage returns the BCP 47 tag ("zh-CN", "en") of the language the
// locale variables name: LC_ALL, then LC_MESSAGES, then LANG, the first one
// set deciding as in the C library. It is "" for the POSIX locale, for none,
// and for a value that is not language[_REGION][.codeset][@modifier].
// WebKitGTK's own navigator.language only follows the locale where that
// locale is generated (`locale -a`); this does not need it.
func systemLanguage(getenv func(string) string) string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if isPOSIXLocale(v) {
			return ""
		}
		name, _, _ := strings.Cut(v, "@")
		name, _, _ = strings.Cut(name, ".")
		lang, region, hasRegion := strings.Cut(name, "_")
		if !letters(lang, 2, 3) || hasRegion && !letters(region, 2, 2) {
			return ""
		}
		if !hasRegion {
			return strings.ToLower(lang)
		}
		return strings.ToLower(lang) + "-" + strings.ToUpper(region)
	}
	return ""
}

// letters reports whether s is min to max ASCII letters.
func letters(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// withSystemLanguage serves the page (/ and /index.html of assets) with a
// meta element naming lang at the top of its head, so the interface picks
// the system's language before the first paint; every other request goes to
// next. With no language, or no index.html with a head, it is next itself.
func withSystemLanguage(assets fs.FS, lang string, next http.Handler) http.Handler {
	if lang == "" {
		return next
	}
	return withPage(assets, lang, nil, "", next)
}

// htmlEscape escapes s for an HTML attribute.
func htmlEscape(s string) string { return html.EscapeString(s) }
