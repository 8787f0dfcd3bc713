import { describe, expect, it } from 'vitest';
import { compareRows } from './compare';

describe('compareRows', () => {
  it('lists the main tables first and other tables only when they differ', () => {
    const got = compareRows(
      { tasks: 10, users: 2, settings: 3, job_runs: 5, goose_db_version: 4, task_search_data: 17, only_in_backup: 1 },
      { tasks: 25, users: 2, settings: 3, job_runs: 9, videos: 4 },
    );
    expect(got).toEqual([
      { table: 'tasks', backup: 10, now: 25, delta: -15 },
      { table: 'users', backup: 2, now: 2, delta: 0 },
      { table: 'videos', backup: 0, now: 4, delta: -4 },
      { table: 'job_runs', backup: 5, now: 9, delta: -4 },
    ]);
  });
});
