package desktop

import "testing"

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
