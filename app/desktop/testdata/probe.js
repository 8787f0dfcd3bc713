// The window smoke test's probe ($REELVAULT_WINDOW_SCRIPT): it reports what
// the page shows through App.Probe, printed by the window as
// "Window probe: …" lines that smoke_test.go reads.
//
//   row ID at=N                 a history row for task ID is in the DOM, N-th from the top
//   wails-scheme error=N|loaded a video played from the window's own scheme
//   playing LABEL rect=X,Y,W,H t=T src=S   a video played, then paused at T
//   seeked LABEL rect=… t=T     the same video after a seek, paused
//   error LABEL code=N          a video failed
//   videos done                 every video of the screen was driven
//   poster ID rect=X,Y,W,H w=N  the history row of task ID shows its poster, N pixels wide
//
// Each video is paused and its controls hidden before it is reported, and
// left still for 3 s, so that the test can take its screenshot.
(function () {
  if (window.__rvProbe) return;
  window.__rvProbe = true;
  const say = (m) => window.go.desktop.App.Probe(m);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const seen = new Set();
  const rows = () =>
    document.querySelectorAll('.task-row[data-task-id]').forEach((r) => {
      const id = r.getAttribute('data-task-id');
      if (!seen.has(id)) {
        seen.add(id);
        say(`row ${id} at=${r.id.replace('row-', '')}`);
      }
    });
  new MutationObserver(rows).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-task-id'] });
  rows();

  // Posters: reported once each, when the row's poster image has loaded.
  const posters = new Set();
  setInterval(() => {
    document.querySelectorAll('.task-row[data-task-id] .thumb[data-poster="ready"] img:not(.probe)').forEach((img) => {
      const id = img.closest('.task-row').getAttribute('data-task-id');
      if (posters.has(id) || !img.complete || img.naturalWidth <= 1) return;
      posters.add(id);
      // Two frames later, so the poster is on screen for the screenshot.
      requestAnimationFrame(() => requestAnimationFrame(() => say(`poster ${id} rect=${rect(img)} w=${img.naturalWidth}`)));
    });
  }, 200);

  const rect = (v) => {
    const r = v.getBoundingClientRect();
    return [r.left, r.top, r.width, r.height].map(Math.round).join(',');
  };
  const until = (cond, ms) =>
    new Promise((res, rej) => {
      const end = Date.now() + ms;
      const tick = () => (cond() ? res() : Date.now() > end ? rej(new Error('timeout')) : setTimeout(tick, 50));
      tick();
    });

  // The cause of the bug this probe guards against: the same video from the
  // window's own scheme (wails://), which GStreamer cannot read.
  function wailsScheme(id) {
    const v = document.createElement('video');
    v.muted = true;
    v.preload = 'auto';
    v.onerror = () => say('wails-scheme error=' + (v.error ? v.error.code : 0));
    v.onloadeddata = () => say('wails-scheme loaded');
    v.src = '/media/' + id;
  }

  async function drive(v) {
    const label = v.getAttribute('aria-label');
    if (v.error) {
      say(`error ${label} code=${v.error.code}`);
      return;
    }
    const src = v.currentSrc || v.src;
    v.controls = false;
    v.muted = true;
    v.scrollIntoView({ block: 'center' });
    try {
      await v.play();
      await until(() => v.currentTime > 0.5, 15000);
    } catch (e) {
      say(`error ${label} code=${v.error ? v.error.code : 0} ${e}`);
      return;
    }
    v.pause();
    await sleep(400);
    say(`playing ${label} rect=${rect(v)} t=${v.currentTime.toFixed(2)} src=${src.startsWith('http://127.0.0.1:') ? 'loopback' : src.split(':')[0]}`);
    await sleep(3000);
    await new Promise((res) => {
      v.addEventListener('seeked', res, { once: true });
      v.currentTime = v.duration * 0.8;
    });
    await sleep(400);
    say(`seeked ${label} rect=${rect(v)} t=${v.currentTime.toFixed(2)}`);
    await sleep(3000);
  }

  let busy = false;
  const driven = new Set();
  setInterval(async () => {
    const videos = [...document.querySelectorAll('video.player')].filter((v) => !driven.has(v));
    if (busy || videos.length === 0) return;
    busy = true;
    await sleep(1000); // let the screen settle
    wailsScheme(videos[0].getAttribute('data-video-id'));
    for (const v of videos) {
      driven.add(v);
      await drive(v);
    }
    say('videos done');
    busy = false;
  }, 500);
})();
