import type { Task, TaskPage } from '../api/types';

/** The accumulated pages of a keyset-paged list. */
export interface PagerState {
  tasks: Task[];
  /** Cursor of the next page; undefined once the last page has arrived. */
  cursor?: string;
  done: boolean;
  loading: boolean;
}

/** The state of a pager holding only page, a first page. */
export function primedState(page: TaskPage): PagerState {
  return { tasks: page.tasks, cursor: page.next_cursor, done: !page.next_cursor, loading: false };
}

/**
 * Pages through tasks with keyset cursors. loadMore fetches at most one page
 * at a time; reset starts over (new filter) and discards the answer of any
 * page still in flight, so a slow old query cannot overwrite a new one.
 */
export class Pager {
  private state: PagerState = { tasks: [], done: false, loading: false };
  private generation = 0;
  private seen = new Set<string>();

  constructor(
    private fetchPage: (cursor: string | undefined) => Promise<TaskPage>,
    private readonly onChange: (s: PagerState) => void,
  ) {}

  /** The current state. */
  get current(): PagerState {
    return this.state;
  }

  /**
   * Drops every loaded row and fetches the first page with fetchPage.
   * Resolves to true once that page is in the state, false if a later reset
   * overtook it.
   */
  reset(fetchPage?: (cursor: string | undefined) => Promise<TaskPage>): Promise<boolean> {
    if (fetchPage) this.fetchPage = fetchPage;
    this.generation++;
    this.seen = new Set();
    this.set({ tasks: [], done: false, loading: false, cursor: undefined });
    return this.loadMore();
  }

  /**
   * Fetches the next page unless one is loading or the last has arrived.
   * Resolves to whether a page was added to the state.
   */
  async loadMore(): Promise<boolean> {
    if (this.state.loading || this.state.done) return false;
    const gen = this.generation;
    this.set({ ...this.state, loading: true });
    try {
      const page = await this.fetchPage(this.state.cursor);
      if (gen !== this.generation) return false;
      // A row can move between pages while a pipeline writes; keep the first copy.
      const fresh = page.tasks.filter((t) => !this.seen.has(t.task_id));
      for (const t of fresh) this.seen.add(t.task_id);
      this.set({
        tasks: fresh.length ? this.state.tasks.concat(fresh) : this.state.tasks,
        cursor: page.next_cursor,
        done: !page.next_cursor,
        loading: false,
      });
      return true;
    } catch (e) {
      if (gen === this.generation) this.set({ ...this.state, loading: false });
      throw e;
    }
  }

  /**
   * Fetches the first page again and puts its tasks that are not loaded yet
   * in front: tasks created since, for a list the user watches from its
   * top. Resolves to how many were added.
   */
  async refreshTop(): Promise<number> {
    const gen = this.generation;
    const page = await this.fetchPage(undefined);
    if (gen !== this.generation || this.state.tasks.length === 0) return 0;
    const fresh = page.tasks.filter((t) => !this.seen.has(t.task_id));
    if (!fresh.length) return 0;
    for (const t of fresh) this.seen.add(t.task_id);
    this.set({ ...this.state, tasks: fresh.concat(this.state.tasks) });
    return fresh.length;
  }

  /**
   * Starts from page, a first page read before (the window hands it over
   * with the page), without fetching and without telling onChange: the
   * caller renders it as its initial state (see primedState).
   */
  prime(page: TaskPage): void {
    this.seen = new Set(page.tasks.map((t) => t.task_id));
    this.state = primedState(page);
  }

  /**
   * Fetches the first page again and, while it is still the only one
   * loaded, puts it in place of the one there: a primed page is as old as
   * its reading, and changes made before the page listened for them would
   * be missed. Resolves to whether anything changed.
   */
  async revalidate(): Promise<boolean> {
    const gen = this.generation;
    const before = this.state;
    const page = await this.fetchPage(undefined);
    if (gen !== this.generation || this.state.loading) return false;
    if (this.state.cursor !== before.cursor) {
      // More pages were loaded meanwhile: only new tasks are added.
      return (await this.refreshTop()) > 0;
    }
    const next = primedState(page);
    if (JSON.stringify(next.tasks) === JSON.stringify(this.state.tasks) && next.cursor === this.state.cursor) return false;
    this.seen = new Set(page.tasks.map((t) => t.task_id));
    this.set(next);
    return true;
  }

  /** Replaces a loaded task in place (live updates); returns whether it was loaded. */
  update(task: Task): boolean {
    const i = this.state.tasks.findIndex((t) => t.task_id === task.task_id);
    if (i < 0) return false;
    const tasks = this.state.tasks.slice();
    tasks[i] = task;
    this.set({ ...this.state, tasks });
    return true;
  }

  private set(s: PagerState) {
    this.state = s;
    this.onChange(s);
  }
}
