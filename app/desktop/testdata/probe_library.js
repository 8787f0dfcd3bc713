// The window library test's probe ($REELVAULT_WINDOW_SCRIPT): it drives the
// library screens through the page, as a person would, and reports what it
// sees through App.Probe ("Window probe: …" lines smoke_library_test.go reads).
//
//   starred ID                  the star of the first history row was clicked and shows set
//   collection NAME=COUNT …     the collections screen's cards
//   takes N compare=M ready=R   a task page lists N takes; its comparison plays M videos, R loaded
//   error MESSAGE               something failed
(function () {
  if (window.__rvLibraryProbe) return;
  window.__rvLibraryProbe = true;
  const say = (m) => window.go.desktop.App.Probe(m);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (fn, ms = 15000) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error('timed out');
      await sleep(50);
    }
  };

  async function run() {
    const row = await until(() => document.querySelector('.task-row[data-task-id]'));
    const id = row.getAttribute('data-task-id');
    row.querySelector('[data-testid="star"]').click();
    await until(() => document.querySelector(`.task-row[data-task-id="${id}"] [data-testid="star"][aria-pressed="true"]`));
    say(`starred ${id}`);

    location.hash = '#/collections';
    await until(() => document.querySelector('.coll-card [data-testid="coll-count"]'));
    const cards = [...document.querySelectorAll('.coll-card')].map((c) => `${c.dataset.collection}=${c.querySelector('[data-testid="coll-count"]').textContent}`);
    say(`collection ${cards.join(' ')}`);

    // The test opens a task with two takes now (`reelvault open ID`).
    const takes = await until(() => document.querySelectorAll('[data-testid="takes"] li').length >= 2 && document.querySelector('[data-testid="takes"]'), 60000);
    takes.querySelector('[data-testid="compare-toggle"]').click();
    const videos = () => [...document.querySelectorAll('[data-testid="compare"] video')];
    await until(() => videos().length === 2 && videos().every((v) => v.readyState >= 1));
    say(`takes ${takes.querySelectorAll('li').length} compare=${videos().length} ready=${videos().filter((v) => v.readyState >= 1).length}`);
  }

  const start = () => run().catch((e) => say(`error ${e && e.message}`));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
