// The window library test's probe ($REELVAULT_WINDOW_SCRIPT): it drives the
// library screens through the page, as a person would, and reports what it
// sees through App.Probe ("Window probe: …" lines smoke_library_test.go reads).
//
//   starred ID                  the star of the first history row was clicked and shows set
//   rated ID=N                  the bulk bar rated the first row (picked by its tick box) N stars
//   grid N picked               two tiles' tick boxes were clicked in the grid view; the bulk bar's count
//   retention TEXT              the trash view's retention after changing it to 7 days
//   collection NAME=COUNT …     the collections screen's cards
//   takes N compare=M ready=R   a task page lists N takes; its comparison plays M videos, R loaded
//   error MESSAGE               something failed
(function () {
  if (window.__rvLibraryProbe) return;
  window.__rvLibraryProbe = true;
  const say = (m) => window.go.desktop.App.Probe(m);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const until = async (fn, ms = 15000, what = 'the page') => {
    const end = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`);
      await sleep(50);
    }
  };

  async function run() {
    const row = await until(() => document.querySelector('.task-row[data-task-id]'));
    const id = row.getAttribute('data-task-id');
    row.querySelector('[data-testid="star"]').click();
    await until(() => document.querySelector(`.task-row[data-task-id="${id}"] [data-testid="star"][aria-pressed="true"]`));
    say(`starred ${id}`);

    // The bulk bar rates the picked row.
    row.querySelector('[data-testid="pick"]').click();
    (await until(() => document.querySelector('[data-testid="bulk-rate-open"]'))).click();
    (await until(() => document.querySelector('[data-testid="bulk-rate"] [data-rate="3"]'))).click();
    await until(() => document.querySelector(`.task-row[data-task-id="${id}"] .rating[data-rating="3"]`) && !document.querySelector('[data-testid="bulk-bar"]'));
    say(`rated ${id}=3`);

    // Tick boxes in the grid view.
    document.querySelector('[data-view="grid"]').click();
    const tiles = await until(() => document.querySelectorAll('.grid-tile [data-testid="pick"]').length >= 2 && document.querySelectorAll('.grid-tile [data-testid="pick"]'));
    tiles[0].click();
    tiles[1].click();
    const count = await until(() => document.querySelector('[data-testid="picked-count"]'));
    say(`grid ${count.textContent}`);
    document.querySelector('.bulk-bar .btn.ghost').click();
    document.querySelector('[data-view="list"]').click();

    // The trash's retention, changed to 7 days.
    location.hash = '#/trash';
    (await until(() => document.querySelector('[data-testid="change-retention"]'), 15000, 'the Change button of the retention')).click();
    const days = await until(() => document.querySelector('[data-testid="retention-days"]'), 15000, 'the retention field');
    days.value = '7';
    days.dispatchEvent(new Event('input', { bubbles: true }));
    await sleep(100); // the field's new value rendered
    days.form.querySelector('button[type="submit"]').click();
    const kept = await until(() => {
      const el = document.querySelector('[data-testid="kept-for"]');
      return el && el.textContent.includes('7') && el;
    }, 15000, () => `the retention to say 7 days (it says: ${document.querySelector('.trash-retention')?.textContent})`);
    say(`retention ${kept.textContent}`);

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
