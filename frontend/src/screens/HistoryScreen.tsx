import { Component } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { STATUSES, toApiError, type Me, type Status, type StatusCounts, type Task, type TaskQuery, type User } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { Icon } from '../components/Icon';
import { PipelineHint } from '../components/PipelineHint';
import { ProgressBar } from '../components/ProgressBar';
import { STATUS_LABEL, StatusBadge } from '../components/StatusBadge';
import { TaskThumb } from '../components/TaskThumb';
import { VirtualList } from '../components/VirtualList';
import { formatCount, formatDuration, formatRelative } from '../lib/format';
import { Pager, type PagerState } from '../lib/pager';
import { routeHash } from '../lib/route';
import { api, useClock, useNotifications } from '../state';

const ROW_HEIGHT = 64;
// Rows are keyed by slot, not by task: a row scrolled out is reused for the
// one scrolled in, so scrolling updates text instead of building elements.
// More slots than rows ever rendered at once (a 4K screen plus overscan).
const ROW_SLOTS = 64;
const PAGE_SIZE = 100;
const SEARCH_DEBOUNCE_MS = 30;
/** How long task notifications gather before the status counts reload. */
const COUNTS_COALESCE_MS = 300;
/** How long a task that arrived live is marked (it slides in). */
const ARRIVED_MS = 1500;

/** When tasks arrived live in the list, by ID, for their slide-in. */
const arrived = new Map<string, number>();

function openTask(t: Task) {
  location.hash = routeHash({ screen: 'task', taskId: t.task_id });
}

/** The props of one row; onSelect is shared by all rows so that it never changes. */
interface TaskRowProps {
  task: Task;
  index: number;
  selected: boolean;
  idle: boolean;
  /** The shared clock's tick, so relative times are written again. */
  now: number;
  onSelect: (index: number) => void;
}

/** One row of the history: poster, prompt, status, progress, time. */
function TaskRowView({ task, index, selected, idle, onSelect }: TaskRowProps) {
  const came = arrived.get(task.task_id);
  const hasVideo = task.status === 'completed' || task.completed_scenes > 0;
  const scenes = task.total_scenes ? `${task.completed_scenes}/${task.total_scenes} scenes` : 'no scenes yet';
  return (
    <div
      id={`row-${index}`}
      class={came !== undefined && Date.now() - came < ARRIVED_MS ? 'task-row arrived' : 'task-row'}
      role="option"
      aria-selected={selected}
      data-task-id={task.task_id}
      onClick={() => onSelect(index)}
      onDblClick={() => openTask(task)}
    >
      {hasVideo ? <TaskThumb key={task.task_id} task={task} idle={idle} /> : <div class={`thumb blank st-${task.status}`} />}
      <div class="prompt-cell">
        <div class="prompt-line" title={task.prompt}>
          {task.prompt}
        </div>
        <div class="sub-line">
          {task.username} · {scenes}
          {task.error_message ? ` · ${task.error_message}` : ''}
        </div>
      </div>
      <div>
        <StatusBadge status={task.status} />
      </div>
      <div>
        <ProgressBar value={task.status === 'completed' ? 100 : task.progress} status={task.status} label="progress" />
      </div>
      <div class="num muted">{formatDuration(task.duration)}</div>
      <div class="muted" title={task.created_at}>
        {formatRelative(task.created_at)}
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
    return next.task !== p.task || next.selected !== p.selected || next.index !== p.index || next.idle !== p.idle || next.now !== p.now || next.onSelect !== p.onSelect;
  }

  override render() {
    return <TaskRowView {...this.props} />;
  }
}

/** The filters of the history, kept while the user visits a task. */
interface Filters {
  search: string;
  status: Status[];
  username: string;
  from: string;
  to: string;
}

/** The history: every task, newest first, filtered and searchable. */
export function HistoryScreen({ me, active }: { me?: Me; active: boolean }) {
  const [filters, setFilters] = useState<Filters>({ search: '', status: [], username: '', from: '', to: '' });
  const [searchText, setSearchText] = useState('');
  const [state, setState] = useState<PagerState>({ tasks: [], done: false, loading: true });
  const [error, setError] = useState<unknown>();
  const [selected, setSelected] = useState(-1);
  const [counts, setCounts] = useState<StatusCounts>();
  const [users, setUsers] = useState<User[]>([]);
  const [idle, setIdle] = useState(true);
  const [fresh, setFresh] = useState(0);
  const searchRef = useRef<HTMLInputElement>(null);
  const now = useClock();

  const query: TaskQuery = useMemo(
    () => ({ search: filters.search, status: filters.status, username: filters.username, from: filters.from, to: filters.to, limit: PAGE_SIZE }),
    [filters],
  );
  const pager = useMemo(() => new Pager((cursor) => api.listTasks({ ...query, cursor }), setState), []);

  // A layout effect, so the first page is requested right after the first
  // render instead of a frame later.
  useLayoutEffect(() => {
    setError(undefined);
    setSelected(-1);
    setFresh(0);
    pager.reset((cursor) => api.listTasks({ ...query, cursor })).then((applied) => {
      // Mark when this result set is on screen (the frame after it rendered),
      // for the speed measurements of the first page and of search.
      if (applied) {
        const detail = { search: query.search ?? '', rows: pager.current.tasks.length };
        requestAnimationFrame(() => setTimeout(() => performance.mark('rv:history-page', { detail })));
      }
    }, setError);
  }, [query]);

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
      .countTasks({ search: filters.search, username: filters.username, from: filters.from, to: filters.to })
      .then(show, () => show(undefined));
  };
  useEffect(() => {
    loadCounts();
  }, [filters.search, filters.username, filters.from, filters.to]);
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
  }, [searchText]);

  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && document.activeElement?.tagName !== 'INPUT') {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [active]);

  useNotifications(
    (n) => {
      if (n.type === 'resync' || n.type === 'restore') {
        setFresh(0);
        pager.reset().catch(setError);
        loadCounts();
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
    [pager, filters.search, filters.username, filters.from, filters.to],
  );

  /** Puts the tasks created since the list loaded at its top. */
  const showNewTasks = () =>
    pager.refreshTop().then((added) => {
      if (!added) return;
      const t = Date.now();
      for (const task of pager.current.tasks.slice(0, added)) arrived.set(task.task_id, t);
      setTimeout(() => arrived.forEach((at, id) => Date.now() - at >= ARRIVED_MS && arrived.delete(id)), ARRIVED_MS);
      setSelected((i) => (i >= 0 ? i + added : i));
      setFresh(0);
    }, setError);

  const toggleStatus = (s: Status) =>
    setFilters((f) => ({ ...f, status: f.status.includes(s) ? f.status.filter((x) => x !== s) : [...f.status, s] }));
  // The heading counts what the list shows: the selected statuses, or all.
  const shown = filters.status.length ? filters.status : STATUSES;
  const total = counts ? shown.reduce((n, s) => n + (counts[s] ?? 0), 0) : undefined;
  const filtered = filters.search || filters.status.length || filters.username || filters.from || filters.to;
  const noTasksAtAll = !filtered && !state.loading && state.tasks.length === 0 && !error;

  return (
    <section class="screen fill" aria-label="History" hidden={!active}>
      <div class="screen-head">
        <h1>History</h1>
        <span class="faint num">{total !== undefined ? `${formatCount(total)} tasks` : ''}</span>
        <div class="spacer" />
        {fresh > 0 && (
          <button type="button" class="btn small" onClick={() => pager.reset().then(() => setFresh(0), setError)}>
            {fresh} new — show
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
            placeholder="Search prompts and scenes  /"
            aria-label="Search prompts and scenes"
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
            aria-label="User"
            value={filters.username}
            onChange={(e) => setFilters((f) => ({ ...f, username: (e.currentTarget as HTMLSelectElement).value }))}
          >
            <option value="">All users</option>
            {users.map((u) => (
              <option key={u.id} value={u.username}>
                {u.username}
              </option>
            ))}
          </select>
        )}
        <input class="input" type="date" aria-label="Created from" value={filters.from} max={filters.to || undefined}
          onChange={(e) => setFilters((f) => ({ ...f, from: (e.currentTarget as HTMLInputElement).value }))} />
        <span class="faint">to</span>
        <input class="input" type="date" aria-label="Created to" value={filters.to} min={filters.from || undefined}
          onChange={(e) => setFilters((f) => ({ ...f, to: (e.currentTarget as HTMLInputElement).value }))} />
      </div>
      <div class="chips" role="group" aria-label="Status">
        {STATUSES.map((s) => (
          <button key={s} type="button" class={`chip st-${s}`} aria-pressed={filters.status.includes(s)} data-status={s} onClick={() => toggleStatus(s)}>
            <span class="dot" />
            {STATUS_LABEL[s]}
            <span class="count">{counts ? formatCount(counts[s]) : ''}</span>
          </button>
        ))}
      </div>
      {error !== undefined && <ErrorNotice error={error} onRetry={() => pager.reset().then(() => setError(undefined), setError)} />}
      {noTasksAtAll ? (
        <PipelineHint />
      ) : (
        <div class="list-frame">
          <div class="list-head" aria-hidden="true">
            <span />
            <span>Prompt</span>
            <span>Status</span>
            <span>Progress</span>
            <span>Took</span>
            <span>Created</span>
          </div>
          {!state.loading && state.tasks.length === 0 ? (
            <div class="empty" data-empty="filtered">
              <h3>Nothing matches</h3>
              <p class="muted">
                {filters.search ? `No prompt or scene mentions “${filters.search}”` : 'No task fits these filters'}.{' '}
                <button type="button" class="btn small" onClick={() => { setSearchText(''); setFilters({ search: '', status: [], username: '', from: '', to: '' }); }}>
                  Clear filters
                </button>
              </p>
            </div>
          ) : (
            <VirtualList
              items={state.tasks}
              rowHeight={ROW_HEIGHT}
              selected={selected}
              onSelect={setSelected}
              onOpen={(i) => state.tasks[i] && openTask(state.tasks[i])}
              onNearEnd={() => pager.loadMore().catch((e) => setError(toApiError(e)))}
              onScrolling={(s) => setIdle(!s)}
              label="Tasks"
              renderRow={(t, i, sel) => <TaskRow key={i % ROW_SLOTS} task={t} index={i} selected={sel} idle={idle} now={now} onSelect={setSelected} />}
            />
          )}
          <div class="list-foot num">
            <span data-loaded={state.tasks.length}>
              {formatCount(state.tasks.length)} shown{state.done ? '' : ' · more as you scroll'}
            </span>
            <span class="faint">↑↓ to move · Enter to open · / to search</span>
          </div>
        </div>
      )}
    </section>
  );
}
