package desktop

import (
	"strconv"
	"strings"
	"time"

	"github.com/reelvault/reelvault/app/launchtrace"
)

// traceScript reports the page's side of a launch when the launch trace is
// on ($REELVAULT_TRACE_LAUNCH, see package launchtrace): the navigation's
// timings, the bundle's scripts and styles, and the UI's marks, each as
// "launch-trace NAME EPOCH_MS" through App.Probe once the first history
// page is on screen.
const traceScript = `(function () {
  if (window.__rvTrace) return;
  window.__rvTrace = true;
  var say = function (name, t) { window.go.desktop.App.Probe('launch-trace ' + name + ' ' + (performance.timeOrigin + t)); };
  var done = false;
  function report() {
    if (done) return;
    done = true;
    say('page: navigation start', 0);
    var n = performance.getEntriesByType('navigation')[0];
    if (n) {
      ['fetchStart', 'responseStart', 'responseEnd', 'domInteractive', 'domContentLoadedEventStart', 'domContentLoadedEventEnd', 'loadEventEnd'].forEach(function (k) {
        if (n[k]) say('page: ' + k, n[k]);
      });
    }
    performance.getEntriesByType('resource').forEach(function (r) {
      var name = r.name.replace(/^.*\//, '');
      say('page: fetch ' + name + ' start', r.startTime);
      say('page: fetch ' + name + ' end', r.responseEnd);
    });
    performance.getEntriesByType('paint').forEach(function (p) { say('page: ' + p.name, p.startTime); });
    performance.getEntriesByType('mark').forEach(function (m) { say('page: mark ' + m.name, m.startTime); });
  }
  var poll = setInterval(function () {
    if (performance.getEntriesByName('rv:history-page').length) { clearInterval(poll); report(); }
  }, 20);
})();`

// tracePage prints a "launch-trace NAME EPOCH_MS" probe of traceScript as
// a launch phase and reports whether msg was one.
func tracePage(msg string) bool {
	rest, ok := strings.CutPrefix(msg, "launch-trace ")
	if !ok {
		return false
	}
	i := strings.LastIndexByte(rest, ' ')
	if i < 0 {
		return true
	}
	ms, err := strconv.ParseFloat(rest[i+1:], 64)
	if err != nil {
		return true
	}
	launchtrace.MarkAt(rest[:i], time.UnixMicro(int64(ms*1000)))
	return true
}
