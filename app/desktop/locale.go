package desktop

import "strings"

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
