/** One table's rows in a backup beside the rows here now. */
export interface RowComparison {
  table: string;
  backup: number;
  now: number;
  /** backup − now: negative rows would be lost by restoring, positive ones come back. */
  delta: number;
}

/** The tables a person cares about, in the order the restore dialog lists them. */
const MAIN_TABLES = ['tasks', 'users', 'scripts', 'videos', 'events'];

/** Bookkeeping tables (migrations, search index internals) that mean nothing to a person. */
const INTERNAL = /^(sqlite_|goose_)|_search_|_fts/;

/**
 * Compares a backup's rows per table with the current counts: the main tables
 * first, then any other table the database reports whose count differs.
 */
export function compareRows(backup: Record<string, number>, now: Record<string, number>): RowComparison[] {
  const tables = new Set([...MAIN_TABLES, ...Object.keys(now)].filter((t) => !INTERNAL.test(t)));
  const rows: RowComparison[] = [];
  for (const table of tables) {
    if (!(table in backup) && !(table in now)) continue;
    const b = backup[table] ?? 0;
    const n = now[table] ?? 0;
    if (!MAIN_TABLES.includes(table) && b === n) continue;
    rows.push({ table, backup: b, now: n, delta: b - n });
  }
  const rank = (t: string) => (MAIN_TABLES.includes(t) ? MAIN_TABLES.indexOf(t) : MAIN_TABLES.length);
  return rows.sort((a, b) => rank(a.table) - rank(b.table) || a.table.localeCompare(b.table));
}
