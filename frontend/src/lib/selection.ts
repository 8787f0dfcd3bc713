import type { TaskPage } from '../api/types';

/**
 * The tasks picked in a list for a bulk action: the IDs ticked, the row a
 * shift-click ranges from, or every task the filter matches (all), loaded or
 * not.
 */
export interface Picks {
  ids: ReadonlySet<string>;
  anchor?: number;
  all: boolean;
}

/** Nothing picked. */
export const NO_PICKS: Picks = { ids: new Set(), all: false };

/**
 * Ticks or unticks row index of the list ids; with shift, every row from the
 * last one clicked to this one takes the state the clicked row gets. Picking
 * a row while all are picked starts from the loaded rows.
 */
export function pick(p: Picks, ids: readonly string[], index: number, shift: boolean): Picks {
  const id = ids[index];
  if (id === undefined) return p;
  const set = new Set(p.all ? ids : p.ids);
  const on = !set.has(id);
  const from = shift && p.anchor !== undefined && p.anchor < ids.length ? p.anchor : index;
  for (let i = Math.min(from, index); i <= Math.max(from, index); i++) {
    const x = ids[i]!;
    if (on) set.add(x);
    else set.delete(x);
  }
  return { ids: set, anchor: index, all: false };
}

/** How many tasks are picked, given how many the filter matches. */
export function pickedCount(p: Picks, matching: number | undefined): number {
  return p.all ? (matching ?? p.ids.size) : p.ids.size;
}

/**
 * The IDs of every task a paged listing answers, page after page, stopping
 * at max (a selection's limit).
 */
export async function collectIds(load: (cursor: string | undefined) => Promise<TaskPage>, max: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await load(cursor);
    for (const t of page.tasks) if (ids.length < max) ids.push(t.task_id);
    cursor = page.next_cursor;
  } while (cursor && ids.length < max);
  return ids;
}
