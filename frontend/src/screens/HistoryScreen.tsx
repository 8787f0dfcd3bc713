import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { STATUSES, toApiError, type Collection, type Me, type SearchMatch, type Selection, type Status, type StatusCounts, type TagCount, type Task, type TaskQuery, type User } from '../api';
import { toTaskFilter } from '../api/query';
import { BulkBar } from '../components/BulkBar';
import { ErrorNotice } from '../components/ErrorNotice';
import { GridView } from '../components/GridView';
import { changeTask, openTask } from '../components/taskActions';
import { LibraryFilters } from '../components/LibraryFilters';
import { Rating, StarButton } from '../components/Stars';
import { TagChips } from '../components/Tags';
import { Icon } from '../components/Icon';
import { PipelineHint } from '../components/PipelineHint';
import { ProgressBar } from '../components/ProgressBar';
import { StatusBadge, statusLabel } from '../components/StatusBadge';
import { DateField } from '../components/DateField';
import { TaskThumb } from '../components/TaskThumb';
import { VirtualList } from '../components/VirtualList';
import { formatCount, formatDuration, formatRelative } from '../lib/format';
import { Pager, primedState, type PagerState } from '../lib/pager';
import { NO_FILTERS, historyFromQuery, historyQuery, isFiltered, parseRoute, routeHash, type HistoryFilters } from '../lib/route';
import { NO_PICKS, collectIds, pick, pickedCount, type Picks } from '../lib/selection';
import { t } from '../i18n';
import { api, useClock, useNotifications } from '../state';

const ROW_HEIGHT = 64;
// Rows are keyed by slot, not by task: a row scrolled out is reused for the
// one scrolled in, so scrolling updates text instead of building elements.
// More slots than rows ever rendered at once (a 4K screen plus overscan).
const ROW_SLOTS = 64;
// The window hands over a first page of this size (Go: desktop.FirstPageLimit).
const PAGE_SIZE = 100;
const SEARCH_DEBOUNCE_MS = 30;
/** How long task notifications gather before the status counts reload. */
const COUNTS_COALESCE_MS = 300;
/** How long a task that arrived live is marked (it slides in). */
const ARRIVED_MS = 1500;

/** When tasks arrived live in the list, by ID, for their slide-in. */
const arrived = new Map<string, number>();


/** The name of the field a search matched in. */
function matchField(m: SearchMatch): string {
  if (m.field === 'scene') return t('row.matchScene', { n: m.scene_number ?? 0 });
  return m.field === 'error' ? t('row.matchError') : t('row.matchPrompt');
}

/** Why a search found the task: the field, then its snippet with the matching words highlighted. */
function MatchLine({ task }: { task: Task }) {
  const m = task.match!;
  return (
    <div class="sub-line match-line" title={t('row.matchTitle')} data-match-field={m.field}>
      {task.username} · <span class="match-field">{matchField(m)}</span>{' '}
      {m.snippet.map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </div>
  );
}

/** The most tasks a bulk action or a selection takes (domain.MaxSelection). */
const MAX_SELECTION = 10_000;
/** The page size when collecting a selection's IDs (the API's largest). */
const COLLECT_PAGE = 500;
/** Up to this many changed tasks are updated in place; more reload the list. */
const UPDATE_IN_PLACE = 50;


/** The props of one row; the callbacks are shared by all rows so that they never change. */
interface TaskRowProps {
  task: Task;
  index: number;
  selected: boolean;
  /** Ticked for a bulk action. */
  picked: boolean;
  idle: boolean;
  /** The shared clock's tick, so relative times are written again. */
  now: number;
  onSelect: (index: number) => void;
  onPick: (index: number, shift: boolean) => void;
  onChanged: (task: Task) => void;
}

/** One row of the history: poster, tick box, prompt, tags, status, progress, time, star and rating. */
function TaskRowView({ task, index, selected, picked, idle, onSelect, onPick, onChanged }: TaskRowProps) {
  const came = arrived.get(task.task_id);
  const hasVideo = task.status === 'completed' || task.completed_scenes > 0;
  const scenes = task.total_scenes ? t('row.scenes', { done: task.completed_scenes, total: task.total_scenes }) : t('row.noScenes');
  return (
    <div
      id={`row-${index}`}
      class={came !== undefined && Date.now() - came < ARRIVED_MS ? 'task-row arrived' : 'task-row'}
      role="option"
      aria-selected={selected}
      data-task-id={task.task_id}
      onClick={() => {
        onSelect(index);
        openTask(task);
      }}
    >
      {hasVideo ? <TaskThumb key={task.task_id} task={task} idle={idle} /> : <div class={`thumb blank st-${task.status}`} />}
      <div class="prompt-cell">
        <input type="checkbox" class="pick" checked={picked} aria-label={t('bulk.pickRow')} data-testid="pick"
          onClick={(e) => {
            e.stopPropagation();
            onPick(index, e.shiftKey);
          }} />
        <div class="prompt-text">
          <div class="prompt-line" title={task.prompt}>
            {task.prompt}
          </div>
          {task.match ? (
            <MatchLine task={task} />
          ) : (
            <div class="sub-line">
              <TagChips tags={task.tags} />
              {task.username} · {scenes}
              {task.error_message ? ` · ${task.error_message}` : ''}
            </div>
          )}
        </div>
      </div>
      <div>
        <StatusBadge status={task.status} />
      </div>
      <div>
        <ProgressBar value={task.status === 'completed' ? 100 : task.progress} status={task.status} label={t('row.progress')} />
      </div>
      <div class="num muted">{formatDuration(task.duration)}</div>
      <div class="muted" title={task.created_at}>
        {formatRelative(task.created_at)}
      </div>
      <div class="row-lib">
        <StarButton starred={task.starred} onToggle={(on) => changeTask(api.setStar(task.task_id, on), onChanged)} />
        <Rating value={task.rating ?? 0} onRate={(n) => changeTask(api.setRating(task.task_id, n), onChanged)} />
      </div>
    </div>
  );
}

/**
 * A history row that renders again only when its task, its selection or the
 * list's rest state changes, so scrolling builds only the rows coming into view.
 */
class TaskRow extends Component<TaskRowProps> {
  override shouldComponentUpdate(next: TaskRowProps): boolean {
    const p = this.props;
    return (
      next.task !== p.task || next.selected !== p.selected || next.picked !== p.picked || next.index !== p.index || next.idle !== p.idle ||
      next.now !== p.now || next.onSelect !== p.onSelect || next.onPick !== p.onPick || next.onChanged !== p.onChanged
    );
  }

  override render() {
    return <TaskRowView {...this.props} />;
  }
}

/** The list's two views, and the grid's tile sizes (px). */
type View = 'list' | 'grid';
const VIEW_KEY = 'reelvault.history.view';
const TILE_KEY = 'reelvault.history.tile';
const TILE_MIN = 120;
const TILE_MAX = 360;

function loadView(): View {
  try {
    return localStorage.getItem(VIEW_KEY) === 'grid' ? 'grid' : 'list';
  } catch {
    return 'list';
  }
}

function loadTile(): number {
  try {
    const n = Number(localStorage.getItem(TILE_KEY));
    return n >= TILE_MIN && n <= TILE_MAX ? n : 200;
  } catch {
    return 200;
  }
}

function save(key: string, value: string) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** The listTasks query of the history's filters: its first page, PAGE_SIZE tasks. */
function historyTaskQuery(filters: HistoryFilters): TaskQuery {
  return {
    search: filters.search,
    status: filters.status,
    username: filters.username,
    from: filters.from,
    to: filters.to,
    starred: filters.starred,
    rating: filters.rating,
    tags: filters.tags,
    collection: filters.collection,
    limit: PAGE_SIZE,
  };
}

/** The history: every task, newest first, filtered and searchable. */
export function HistoryScreen({ me, active }: { me?: Me; active: boolean }) {
  // The filters and the selected task start from the URL and are kept in it.
  const [initial] = useState(() => {
    const r = parseRoute(location.hash);
    return historyFromQuery(r.screen === 'history' ? r.query : undefined);
  });
  const [filters, setFilters] = useState<HistoryFilters>(initial.filters);
  const [searchText, setSearchText] = useState(initial.filters.search);
  // The task to select once it is loaded (from the URL).
  const wantSelected = useRef(initial.selected);
  // In the window the first page may have come with the page itself
  // (api.firstPage): its rows are then in the first render.
  const [primed] = useState(() => api.firstPage?.(historyTaskQuery(initial.filters)));
  const [state, setState] = useState<PagerState>(() => (primed ? primedState(primed) : { tasks: [], done: false, loading: true }));
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState(-1);
  const [counts, setCounts] = useState<StatusCounts>();
  const [users, setUsers] = useState<User[]>([]);
  const [idle, setIdle] = useState(true);
  const [fresh, setFresh] = useState(0);
  const [view, setView] = useState<View>(loadView);
  const [tile, setTile] = useState(loadTile);
  const searchRef = useRef<HTMLInputElement>(null);
  const now = useClock();

  const [picks, setPicks] = useState<Picks>(NO_PICKS);
  const [tags, setTags] = useState<TagCount[]>([]);
  const [collections, setCollections] = useState<Collection[]>([]);

  const query: TaskQuery = useMemo(() => historyTaskQuery(filters), [filters]);
  // One pager for the screen's life: reset hands it each new query's loader.
  const pager = useMemo(() => {
    const p = new Pager((cursor) => api.listTasks({ ...query, cursor }), setState);
    if (primed) p.prime(primed);
    return p;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A layout effect, so the first page is requested right after the first
  // render instead of a frame later.
  const listRef = useRef<HTMLDivElement>(null);
  const primedRun = useRef(primed !== undefined);
  useLayoutEffect(() => {
    // Once a result set is in: select the task the URL names, and mark when
    // it is on screen (the frame after it rendered), for the speed
    // measurements of the first page and of search.
    const applied = (then?: () => void) => {
      const want = wantSelected.current;
      wantSelected.current = undefined;
      if (want) {
        const i = pager.current.tasks.findIndex((t) => t.task_id === want);
        if (i >= 0) setSelected(i);
      }
      const detail = { search: query.search ?? '', rows: pager.current.tasks.length };
      requestAnimationFrame(() =>
        setTimeout(() => {
          performance.mark('rv:history-page', { detail });
          then?.();
        }),
      );
    };
    if (primedRun.current) {
      // The primed first page is rendered already; once it is on screen,
      // it is read again for what changed before this page listened.
      primedRun.current = false;
      applied(() => void pager.revalidate().catch(() => undefined));
      return;
    }
    setError(undefined);
    setSelected(-1);
    setPicks(NO_PICKS);
    setFresh(0);
    pager.reset((cursor) => api.listTasks({ ...query, cursor })).then((ok) => {
      if (ok) applied();
    }, setError);
  }, [query, pager]);

  // The chips count under every filter but their own: each shows how many
  // tasks of its status the search, user and days match, so a chip not
  // selected still tells what selecting it would add. Only the latest answer
  // is shown when filters change faster than the counts come back.
  const countSeq = useRef(0);
  const loadCounts = () => {
    const seq = ++countSeq.current;
    const show = (c: StatusCounts | undefined) => {
      if (seq === countSeq.current) setCounts(c);
    };
    api
      .countTasks({ ...query, status: undefined })
      .then(show, () => show(undefined));
  };
  useEffect(() => {
    loadCounts();
    // loadCounts is a new closure on every render; the query it reads decides
    // (the status filter does not change the chips' counts).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [filters.search, filters.username, filters.from, filters.to, filters.starred, filters.rating, filters.tags, filters.collection]);

  // The tags and collections the filters and the bulk bar offer.
  const loadTags = () => api.listTags().then(setTags, () => undefined);
  const loadCollections = () => api.listCollections().then(setCollections, () => undefined);
  useEffect(() => {
    loadTags();
    loadCollections();
  }, []);
  // A busy pipeline sends many task notifications; they reload the counts
  // at most once per COUNTS_COALESCE_MS.
  // The timer calls the latest loadCounts, with the filters of its time.
  const countTimer = useRef<ReturnType<typeof setTimeout>>();
  const latestLoadCounts = useRef(loadCounts);
  latestLoadCounts.current = loadCounts;
  const reloadCountsSoon = () => {
    if (countTimer.current !== undefined) return;
    countTimer.current = setTimeout(() => {
      countTimer.current = undefined;
      latestLoadCounts.current();
    }, COUNTS_COALESCE_MS);
  };
  useEffect(() => () => clearTimeout(countTimer.current), []);

  useEffect(() => {
    if (me?.owner) api.listUsers().then(setUsers, () => setUsers([]));
  }, [me?.owner]);

  useEffect(() => {
    const t = setTimeout(() => {
      if (searchText !== filters.search) setFilters((f) => ({ ...f, search: searchText }));
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
    // Only typing starts the debounce: a search set elsewhere (a link, Clear) must not be undone.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchText]);

  // The URL follows the filters and the selection (replacing the entry, so
  // Back leaves the history instead of undoing filters one by one).
  const selectedId = selected >= 0 ? state.tasks[selected]?.task_id : undefined;
  useEffect(() => {
    // Not after a click has already moved on to a task.
    if (!active || parseRoute(location.hash).screen !== 'history') return;
    const hash = routeHash({ screen: 'history', query: historyQuery(filters, selectedId) });
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  }, [active, filters, selectedId]);

  // A link or bookmark to the history with a query sets the filters.
  useEffect(() => {
    const on = () => {
      const r = parseRoute(location.hash);
      if (r.screen !== 'history' || !r.query) return;
      const next = historyFromQuery(r.query);
      wantSelected.current = next.selected;
      setSearchText(next.filters.search);
      setFilters((f) => (historyQuery(f).toString() === historyQuery(next.filters).toString() ? f : next.filters));
    };
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);

  // The keyboard works from page load, and again on coming back from a task:
  // the list takes the focus unless something else has it.
  useEffect(() => {
    if (!active || state.loading) return;
    const focused = document.activeElement;
    if (!focused || focused === document.body) listRef.current?.querySelector<HTMLElement>('.vlist')?.focus({ preventScroll: true });
  }, [active, state.loading]);

  // The keys read the list and the selection as they are when pressed.
  const taskIds = useMemo(() => state.tasks.map((x) => x.task_id), [state.tasks]);
  const idsRef = useRef(taskIds);
  idsRef.current = taskIds;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && document.activeElement?.tagName !== 'INPUT') {
        e.preventDefault();
        searchRef.current?.focus();
      }
      // x picks the selected row (with Shift, the rows up to it).
      if (e.key.toLowerCase() === 'x' && document.activeElement?.classList.contains('vlist') && selectedRef.current >= 0) {
        e.preventDefault();
        setPicks((p) => pick(p, idsRef.current, selectedRef.current, e.shiftKey));
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [active]);

  // A change to stars, ratings, tags or collections updates the rows it
  // touched in place; where the list is filtered by them (a row may no longer
  // belong) or many changed, the list loads again.
  const libraryFiltered = filters.starred || filters.rating > 0 || filters.tags.length > 0 || filters.collection !== '';
  const refreshTasks = (ids: string[]) => {
    const loaded = ids.filter((id) => pager.current.tasks.some((t) => t.task_id === id));
    if (libraryFiltered || loaded.length > UPDATE_IN_PLACE) pager.reset().catch(setError);
    else for (const id of loaded) api.getTask(id).then((t) => pager.update(t), () => undefined);
    reloadCountsSoon();
  };

  useNotifications(
    (n) => {
      if (n.type === 'resync' || n.type === 'restore' || n.type === 'trash') {
        // Picked tasks may have left the list.
        setPicks(NO_PICKS);
        setFresh(0);
        pager.reset().catch(setError);
        loadCounts();
        loadTags();
        loadCollections();
        return;
      }
      if (n.type === 'collection') {
        loadCollections();
        return;
      }
      if (n.type === 'library') {
        refreshTasks(n.task_id ? [n.task_id] : Array.isArray(n.data) ? (n.data as string[]) : []);
        loadTags();
        loadCollections();
        return;
      }
      if (n.type !== 'task' || !n.task_id) return;
      const loaded = pager.current.tasks.some((t) => t.task_id === n.task_id);
      if (loaded) api.getTask(n.task_id).then((t) => pager.update(t), () => undefined);
      else if (n.status === 'pending') {
        // At the top of the list a new task slides in; further down, where
        // rows moving would lose the reader's place, a button says so.
        const list = document.querySelector('.vlist');
        if (list && list.scrollTop < ROW_HEIGHT / 2) showNewTasks();
        else setFresh((k) => k + 1);
      }
      reloadCountsSoon();
    },
    [pager, query, libraryFiltered],
  );

  /** Puts the tasks created since the list loaded at its top. */
  const showNewTasks = () =>
    pager.refreshTop().then((added) => {
      if (!added) return;
      const at = Date.now();
      for (const task of pager.current.tasks.slice(0, added)) arrived.set(task.task_id, at);
      setTimeout(() => arrived.forEach((at, id) => Date.now() - at >= ARRIVED_MS && arrived.delete(id)), ARRIVED_MS);
      setSelected((i) => (i >= 0 ? i + added : i));
      setFresh(0);
    }, setError);

  const toggleStatus = (s: Status) =>
    setFilters((f) => ({ ...f, status: f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s] }));
  // The heading counts what the list shows: the selected statuses, or all.
  const shown = filters.status.length ? filters.status : STATUSES;
  const total = counts ? shown.reduce((n, s) => n + (counts[s] ?? 0), 0) : undefined;
  const noTasksAtAll = !isFiltered(filters) && !state.loading && state.tasks.length === 0 && !error;

  // Rows share these callbacks, so they stay the same from render to render.
  const onPick = useMemo(() => (i: number, shift: boolean) => setPicks((p) => pick(p, idsRef.current, i, shift)), []);
  const onChanged = useMemo(() => (task: Task) => pager.update(task), [pager]);
  const picked = pickedCount(picks, total);
  const listQuery = { ...query, cursor: undefined, limit: undefined };
  const selection = (): Selection => (picks.all ? { filter: toTaskFilter(listQuery) } : { task_ids: [...picks.ids] });
  const pickedIds = () =>
    picks.all ? collectIds((cursor) => api.listTasks({ ...query, cursor, limit: COLLECT_PAGE }), MAX_SELECTION) : Promise.resolve([...picks.ids]);
  const afterBulk = () => {
    setPicks(NO_PICKS);
    pager.reset().catch(setError);
    loadCounts();
    loadTags();
    loadCollections();
  };

  return (
    <section class="screen fill" aria-label={t('history.title')} data-screen="history" hidden={!active}>
      <div class="screen-head">
        <h1>{t('history.title')}</h1>
        <span class="faint num" data-testid="task-count">{total !== undefined ? t('history.count', { n: formatCount(total) }) : ''}</span>
        <div class="spacer" />
        <div class="segmented" role="group" aria-label={t('history.view')}>
          {(['list', 'grid'] as View[]).map((v) => (
            <button key={v} type="button" aria-pressed={view === v} data-view={v}
              onClick={() => { setView(v); save(VIEW_KEY, v); }}>
              {t(v === 'list' ? 'history.viewList' : 'history.viewGrid')}
            </button>
          ))}
        </div>
        {view === 'grid' && (
          <input type="range" class="tile-size" min={TILE_MIN} max={TILE_MAX} step={10} value={tile} aria-label={t('history.tileSize')}
            onInput={(e) => { const n = Number((e.currentTarget as HTMLInputElement).value); setTile(n); save(TILE_KEY, String(n)); }} />
        )}
        {fresh > 0 && (
          <button type="button" class="btn small" onClick={() => pager.reset().then(() => setFresh(0), setError)}>
            {t('history.fresh', { n: fresh })}
          </button>
        )}
      </div>
      <div class="filters">
        <div class="search">
          <Icon name="search" />
          <input
            ref={searchRef}
            class="input"
            type="search"
            placeholder={`${t('history.search')}  /`}
            aria-label={t('history.search')}
            value={searchText}
            onInput={(e) => {
              performance.mark('rv:search-input');
              setSearchText((e.currentTarget as HTMLInputElement).value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'ArrowDown' || e.key === 'Enter') {
                e.preventDefault();
                setSelected(0);
                (document.querySelector('.vlist') as HTMLElement | null)?.focus();
              }
            }}
          />
        </div>
        {me?.owner && (
          <select
            class="input"
            aria-label={t('history.user')}
            value={filters.username}
            onChange={(e) => setFilters((f) => ({ ...f, username: (e.currentTarget as HTMLSelectElement).value }))}
          >
            <option value="">{t('history.allUsers')}</option>
            {users.map((u) => (
              <option key={u.id} value={u.username}>
                {u.username}
              </option>
            ))}
          </select>
        )}
        <span class="dates">
          <DateField label={t('history.from')} placeholder={t('history.fromPlaceholder')} value={filters.from} max={filters.to}
            onChange={(from) => setFilters((f) => ({ ...f, from }))} />
          <span class="faint">{t('history.toWord')}</span>
          <DateField label={t('history.to')} placeholder={t('history.toPlaceholder')} value={filters.to} min={filters.from}
            onChange={(to) => setFilters((f) => ({ ...f, to }))} />
        </span>
      </div>
      <LibraryFilters filters={filters} tags={tags} collections={collections} onChange={(c) => setFilters((f) => ({ ...f, ...c }))} />
      <div class="chips" role="group" aria-label={t('history.status')}>
        {STATUSES.map((s) => (
          <button key={s} type="button" class={`chip st-${s}`} aria-pressed={filters.status.includes(s)} data-status={s} onClick={() => toggleStatus(s)}>
            <span class="dot" />
            {statusLabel(s)}
            <span class="count">{counts ? formatCount(counts[s]) : ''}</span>
          </button>
        ))}
      </div>
      {picked > 0 && (
        <BulkBar count={picked} matching={total} all={picks.all} selection={selection} ids={pickedIds}
          tags={tags} collections={collections} collection={filters.collection || undefined}
          onSelectAll={() => setPicks({ ids: new Set(), all: true })} onClear={() => setPicks(NO_PICKS)} onDone={afterBulk} />
      )}
      {error !== undefined && <ErrorNotice error={error} onRetry={() => pager.reset().then(() => setError(undefined), setError)} />}
      {noTasksAtAll ? (
        <PipelineHint />
      ) : (
        <div class="list-frame" ref={listRef}>
          <div class="list-head" aria-hidden="true" hidden={view === 'grid'}>
            <span />
            <span>{t('col.prompt')}</span>
            <span>{t('col.status')}</span>
            <span>{t('col.progress')}</span>
            <span>{t('col.took')}</span>
            <span>{t('col.created')}</span>
            <span />
          </div>
          {!state.loading && state.tasks.length === 0 ? (
            <div class="empty" data-empty="filtered">
              <h3>{t('history.nothing')}</h3>
              <p class="muted">
                {filters.search ? t('history.noMention', { q: filters.search }) : t('history.noFit')}{' '}
                <button type="button" class="btn small" onClick={() => { setSearchText(''); setFilters(NO_FILTERS); }}>
                  {t('history.clear')}
                </button>
              </p>
            </div>
          ) : view === 'grid' ? (
            <GridView tasks={state.tasks} tile={tile} label={t('history.tasks')} picks={picks} onPick={onPick} onChanged={onChanged}
              onNearEnd={() => pager.loadMore().catch((e) => setError(toApiError(e)))} />
          ) : (
            <VirtualList
              items={state.tasks}
              rowHeight={ROW_HEIGHT}
              selected={selected}
              onSelect={setSelected}
              onOpen={(i) => state.tasks[i] && openTask(state.tasks[i])}
              onNearEnd={() => pager.loadMore().catch((e) => setError(toApiError(e)))}
              onScrolling={(s) => setIdle(!s)}
              label={t('history.tasks')}
              renderRow={(t, i, sel) => (
                <TaskRow key={i % ROW_SLOTS} task={t} index={i} selected={sel} picked={picks.all || picks.ids.has(t.task_id)} idle={idle} now={now}
                  onSelect={setSelected} onPick={onPick} onChanged={onChanged} />
              )}
            />
          )}
          <div class="list-foot num">
            <span data-loaded={state.tasks.length}>
              {t(state.done ? 'history.shown' : 'history.more', { n: formatCount(state.tasks.length) })}
            </span>
            <span class="faint keys">{t('history.keys')}</span>
          </div>
        </div>
      )}
    </section>
  );
}
