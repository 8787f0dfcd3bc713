package server

import (
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/reelvault/reelvault/domain"
)

// signInPage is what a browser shows when a sign-in link cannot sign it in:
// a page that says why and how to get a new link, never the API's JSON.
var signInPage = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Reelvault</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;background:#f6f7f9;color:#1d2430}
main{max-width:520px;margin:12vh auto;padding:32px;background:#fff;border-radius:14px;box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:22px;margin:0 0 12px}
p{line-height:1.6}
code{background:#eef1f5;padding:2px 6px;border-radius:6px;font-size:15px}
a{color:#3a5bd9}
@media (prefers-color-scheme: dark){body{background:#14171c;color:#e6e9ef}main{background:#1d2129}code{background:#2a2f3a}a{color:#8ea6ff}}
</style>
</head>
<body>
<main data-testid="signin-problem">
<h1>{{.Title}}</h1>
<p>{{.Why}}</p>
<p>{{.How}}</p>
<p><code>reelvault link</code></p>
<p>{{.Then}}</p>
<p><a href="/">{{.Home}}</a></p>
</main>
</body>
</html>
`))

type signInText struct {
	Lang, Title, Why, How, Then, Home string
}

var signInTexts = map[string]signInText{
	"en": {
		Lang:  "en",
		Title: "This sign-in link no longer works",
		Why:   "A sign-in link works once, and only for a limited time. This one was already used or has expired, so it cannot sign this browser in.",
		How:   "To get a new link, run this on the computer where Reelvault runs:",
		Then:  "Open the link it prints in this browser. Your data is unchanged.",
		Home:  "Go to Reelvault",
	},
	"zh-CN": {
		Lang:  "zh-CN",
		Title: "此登录链接已失效",
		Why:   "登录链接只能使用一次，并且有时间限制。这个链接已经用过或已过期，无法让此浏览器登录。",
		How:   "要获取新链接，请在运行 Reelvault 的电脑上执行：",
		Then:  "然后在此浏览器中打开它输出的链接。您的数据没有任何改动。",
		Home:  "前往 Reelvault",
	},
}

var signInBusy = map[string]string{
	"en":    "Too many sign-in attempts failed from this computer; wait a few seconds before you open a new link.",
	"zh-CN": "此电脑的登录失败次数过多；请等几秒钟再打开新链接。",
}

// pageLanguage picks "zh-CN" or "en" from an Accept-Language header: the
// first of the two that the browser prefers, English when it names neither.
func pageLanguage(header string) string {
	type pref struct {
		tag string
		q   float64
		i   int
	}
	var prefs []pref
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		prefs = append(prefs, pref{strings.ToLower(strings.TrimSpace(tag)), q, i})
	}
	sort.SliceStable(prefs, func(a, b int) bool { return prefs[a].q > prefs[b].q })
	for _, p := range prefs {
		switch {
		case p.q <= 0:
		case p.tag == "zh" || strings.HasPrefix(p.tag, "zh-"):
			return "zh-CN"
		case p.tag == "en" || strings.HasPrefix(p.tag, "en-"):
			return "en"
		}
	}
	return "en"
}

// writeSignInProblem answers a sign-in link that failed with the page above,
// in the browser's language, with status 401 (429 when rate limited).
func (s *Server) writeSignInProblem(w http.ResponseWriter, r *http.Request, err error) {
	lang := pageLanguage(r.Header.Get("Accept-Language"))
	text := signInTexts[lang]
	status := http.StatusUnauthorized
	if domain.ErrorCode(err) == ERATELIMITED {
		status = http.StatusTooManyRequests
		text.Why = signInBusy[lang]
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Language", lang)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := signInPage.Execute(w, text); err != nil {
		s.logger.Warn("write the sign-in page", "err", err)
	}
}
