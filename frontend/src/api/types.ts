// JSON shapes of the Reelvault API. Field names follow the json tags of the
// Go domain package (snake_case); times are RFC 3339 strings.

/** A task's lifecycle state. */
export type Status = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';

/** Every status in lifecycle order. */
export const STATUSES: readonly Status[] = ['pending', 'processing', 'completed', 'failed', 'cancelled'];

/** One generation run: a prompt turned into scene scripts, clips and a final video. */
export interface Task {
  task_id: string;
  user_id: number;
  username: string;
  prompt: string;
  status: Status;
  progress: number;
  total_scenes: number;
  completed_scenes: number;
  final_video_path?: string;
  error_message?: string;
  attempts: number;
  lease_owner?: string;
  lease_expires_at?: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  duration?: number;
  /** The library: stars, a 1–5 rating (absent when unrated), tags and collections by name. */
  starred: boolean;
  rating?: number;
  tags?: string[];
  collections?: string[];
  /** The task this one runs again. */
  rerun_of?: string;
  /** Set while the task is in the trash. */
  trashed_at?: string;
  scripts?: Script[];
  videos?: Video[];
  events?: TaskEvent[];
  /** Why the task matched a search; set on search results only. */
  match?: SearchMatch;
}

/** A named set of tasks; a task may be in several. */
export interface Collection {
  id: number;
  name: string;
  /** Untrashed tasks in it the viewer can see. */
  count: number;
  /** The task whose poster stands for the collection. */
  cover_task_id?: string;
  created_at: string;
}

/** A tag in use and how many tasks carry it. */
export interface TagCount {
  tag: string;
  count: number;
}

/** The tasks a bulk action applies to: listed IDs, or all a filter matches. */
export interface Selection {
  task_ids?: string[];
  filter?: TaskFilter;
}

/** The filter of a selection, in the JSON shape of the Go TaskFilter. */
export interface TaskFilter {
  user_id?: number;
  username?: string;
  status?: Status[];
  created_from?: string;
  created_to?: string;
  search?: string;
  starred?: boolean;
  rating?: number;
  tags?: string[];
  collection?: string;
  trashed?: boolean;
  cursor?: string;
  limit?: number;
}

export type BulkAction = 'tag' | 'untag' | 'star' | 'unstar' | 'rate' | 'collect' | 'uncollect' | 'trash' | 'restore';

/** One action on a selection. */
export interface BulkRequest extends Selection {
  action: BulkAction;
  tag?: string;
  collection?: string;
  rating?: number;
}

/** What a bulk action did. */
export interface BulkResult {
  matched: number;
  changed: number;
}

/** What a trash action did. */
export interface TrashResult {
  changed: number;
  files_trashed?: number;
  files_left?: number;
}

/** How many days the trash keeps tasks before the daily purge (domain.TrashSettings). */
export interface TrashSettings {
  trash_retention_days: number;
}

/**
 * Where an export of picked tasks went (desktop.ExportSaved): the file the
 * window wrote ("" when its save dialog was cancelled), or in a browser the
 * name of the downloaded file; and its size.
 */
export interface ExportSaved {
  path: string;
  bytes: number;
}

/** A scene script as given when creating or rerunning a task. */
export interface ScriptInput {
  scene_number: number;
  description: string;
  duration: number;
  camera_movement?: string;
  lighting?: string;
}

/** What to change from the origin when running a task again. */
export interface RerunInput {
  prompt?: string;
  scripts?: ScriptInput[];
}

/** Why a task matched a search: a snippet of one field, the matching words marked. */
export interface SearchMatch {
  field: 'prompt' | 'scene' | 'error';
  /** The scene, when field is 'scene'. */
  scene_number?: number;
  snippet: SnippetPart[];
}

/** A piece of a snippet; hit marks the words that matched. */
export interface SnippetPart {
  text: string;
  hit?: boolean;
}

/** The script of one scene. */
export interface Script {
  id: number;
  task_id: string;
  scene_number: number;
  description: string;
  duration: number;
  camera_movement?: string;
  lighting?: string;
  created_at: string;
}

/** A registered video file; scene 0 is the task's final video. */
export interface Video {
  id: number;
  task_id: string;
  scene_number: number;
  file_path: string;
  file_size?: number;
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
  status: string;
  created_at: string;
  missing?: boolean;
  /** The container's codec name, read from the file. */
  codec?: string;
  /** Hex SHA-256 of the file, once computed. */
  content_hash?: string;
  /** What the client claimed when it registered the video. */
  claimed?: VideoClaim;
  /** The facts where the claim and the file disagree: width, height, duration, fps. */
  mismatch?: string[];
  probe_error?: string;
  probed_at?: string;
}

/** What a client claimed about a video it registered. */
export interface VideoClaim {
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
}

/** Disk use of one user or task. */
export interface StorageUsage {
  key: string;
  label?: string;
  username?: string;
  bytes: number;
  videos: number;
  missing: number;
}

/**
 * A replacement file for a scene's video (the body of PUT
 * /api/v1/tasks/{task_id}/videos/{scene}); the claimed facts are optional,
 * the file's own are probed.
 */
export interface VideoFix {
  file_path: string;
  duration?: number;
  width?: number;
  height?: number;
  fps?: number;
}

/** A registered video whose file is gone. */
export interface MissingVideo {
  video_id: number;
  task_id: string;
  username: string;
  scene_number: number;
  file_path: string;
  file_size?: number;
}

/** The disk use of the registered videos. */
export interface StorageReport {
  total_bytes: number;
  videos: number;
  missing_count: number;
  users: StorageUsage[];
  tasks: StorageUsage[];
  /** Every collection with videos, largest first (untrashed tasks only). */
  collections: StorageUsage[];
  missing: MissingVideo[];
}

/** One missing video in a relink report. */
export interface RelinkedVideo {
  video_id: number;
  task_id: string;
  scene_number: number;
  from: string;
  to?: string;
  by?: 'hash' | 'size_name';
  reason?: string;
}

/** What a relink found and did. */
export interface RelinkReport {
  folder: string;
  dry_run: boolean;
  files_scanned: number;
  missing: number;
  relinked: RelinkedVideo[];
  unmatched: RelinkedVideo[];
}

/** One entry of a task's event log. */
export interface TaskEvent {
  id: number;
  task_id: string;
  type: string;
  status: Status;
  progress: number;
  message?: string;
  created_at: string;
}

/** Selects tasks; empty fields do not filter. Dates are YYYY-MM-DD (local day). */
export interface TaskQuery {
  status?: Status[];
  username?: string;
  from?: string;
  to?: string;
  search?: string;
  /** Only starred tasks. */
  starred?: boolean;
  /** At least this rating (1–5). */
  rating?: number;
  /** Every one of these tags. */
  tags?: string[];
  /** In this collection, by name. */
  collection?: string;
  /** The trash instead of the history. */
  trashed?: boolean;
  cursor?: string;
  limit?: number;
}

/** One page of tasks, newest first. */
export interface TaskPage {
  tasks: Task[];
  next_cursor?: string;
}

/** Tasks per status. */
export type StatusCounts = Record<Status, number>;

/** The totals of one day (UTC). */
export interface DayStats {
  date: string;
  total_tasks: number;
  completed_tasks: number;
  failed_tasks: number;
  cancelled_tasks: number;
  total_videos: number;
  total_video_seconds: number;
  avg_generation_time: number;
  p95_generation_time: number;
}

/** On-disk size of one table or index. */
export interface TableSize {
  name: string;
  bytes: number;
  rows?: number;
}

/** Database facts for the maintenance screen. */
export interface DBStatus {
  engine: string;
  path?: string;
  file_size: number;
  wal_size: number;
  free_pages: number;
  page_size: number;
  schema_version: number;
  tables: TableSize[];
  counts: Record<string, number>;
}

/** Someone whose pipeline writes tasks through an API key. */
export interface User {
  id: number;
  username: string;
  email?: string;
  key_prefix: string;
  quota: number;
  used_quota: number;
  is_active: boolean;
  created_at: string;
  updated_at: string;
}

/** Input of createUser. */
export interface UserCreate {
  username: string;
  email?: string;
  quota?: number;
}

/** A user with its new API key, which is shown once. */
export interface UserWithKey {
  user: User;
  api_key: string;
}

/** Why a backup was taken. */
export type BackupKind = 'manual' | 'scheduled' | 'pre-migration' | 'pre-restore' | 'uploaded';

/** One verified backup in the catalogue. */
export interface Backup {
  name: string;
  kind: BackupKind;
  created_at: string;
  size: number;
  sha256: string;
  schema_version: number;
  /** Rows per table at the time of the backup. */
  rows: Record<string, number>;
  verified_at: string;
  path?: string;
  /** The video files the set holds; absent for a database-only backup. */
  media?: BackupMedia;
  /** "local" or the name of a destination the owner added. */
  destination?: string;
  /** An encrypted set restores only with its destination's passphrase. */
  encrypted?: boolean;
}

/** A video file a backup set references but does not hold, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

/** The video files of one backup set (stored once, shared between sets). */
export interface BackupMedia {
  files: number;
  bytes: number;
  new_files: number;
  new_bytes: number;
  skipped?: SkippedFile[];
  skipped_count: number;
}

/** A folder that receives backup sets, and its state. */
export interface DestinationStatus {
  name: string;
  dir: string;
  cron: string;
  keep: number;
  encrypted: boolean;
  added_at: string;
  /** False when the folder is missing or not mounted. */
  connected: boolean;
  sets: number;
  last_backup?: string;
  next_run?: string;
  problem?: string;
}

/** Options of a restore of a backup set. */
export interface RestoreRequest {
  passphrase?: string;
  /** An absolute folder to put the video files under (the database is re-linked there). */
  into?: string;
  db_only?: boolean;
}

/** What a restore did. */
export interface RestoreResult {
  source: string;
  /** Absent after the undo of a restore of chosen tasks. */
  pre_restore?: Backup;
  schema_version: number;
  rows: Record<string, number>;
  files?: RestoredFiles;
}

/** What a restore did with the video files of a set. */
export interface RestoredFiles {
  restored: number;
  bytes: number;
  same: number;
  kept_aside?: SkippedFile[];
  relinked?: string;
  /** After the undo of a restore of chosen tasks: the files it had put back, removed. */
  removed?: number;
}

/** A destination to add. */
export interface DestinationInput {
  name: string;
  dir: string;
  cron: string;
  keep: number;
  encrypt: boolean;
  passphrase: string;
}

/** The restore that "undo" takes back. */
export interface LastRestore {
  pre_restore: string;
  source: string;
  at: string;
}

/** Where the backups are kept, and which restore undo would take back (none: nothing to undo). */
export interface BackupPlace {
  dir?: string;
  /** Absent or null when there is nothing to undo. */
  undo?: LastRestore;
}

/** How far a backup or restore has come. */
export interface BackupProgress {
  phase: string;
  done: number;
  total: number;
}

/** The maintenance schedule and retention; an empty expression disables a job. */
export interface Schedule {
  backup: string;
  keep: number;
  keep_daily: number;
  keep_weekly: number;
  optimize: string;
  vacuum: string;
  checkpoint: string;
  /** The restore drill of the newest backup; default weekly. */
  drill: string;
}

/** How a task of a backup differs from the live history. */
export type TaskDiff = 'missing' | 'changed' | 'files';

/** One differing task of a preview, as the backup holds it. */
export interface PreviewTask {
  task_id: string;
  diff: TaskDiff;
  username: string;
  prompt: string;
  status: Status;
  created_at: string;
  missing_files?: string[];
}

/** What restoring tasks from a backup would change; nothing is changed. */
export interface TaskPreview {
  backup: string;
  schema_version: number;
  set_tasks: number;
  live_tasks: number;
  same: number;
  missing: number;
  changed: number;
  only_here: number;
  files_missing: number;
  tasks: PreviewTask[];
  truncated: boolean;
}

/** A finished restore of chosen tasks. */
export interface TaskRestoreResult {
  backup: string;
  added: string[];
  replaced: string[];
  days: string[];
  undo: string;
  /** What became of the chosen tasks' missing or changed video files. */
  files?: RestoredFiles;
}

/** The outcome of one restore drill. */
export interface DrillResult {
  destination: string;
  backup: string;
  ok: boolean;
  error?: string;
  started_at: string;
  seconds: number;
  tasks: number;
  checks: string[];
  files_checked: number;
}

/** When a destination's backups were last proven restorable. */
export interface Proven {
  destination: string;
  last_ok?: string;
  backup?: string;
  last?: string;
  failed: boolean;
  error?: string;
  /** Why the latest scheduled drill could not run (not connected, needs a passphrase, no set yet). */
  skipped?: string;
  skipped_at?: string;
}

/** Which set a drill proves: a destination's newest by default. */
export interface DrillRequest {
  name?: string;
  destination?: string;
  passphrase?: string;
}

/** What an uploaded backup set holds. */
export interface SetInfo {
  name: string;
  engine: 'sqlite' | 'postgres';
  created_at?: string;
  size: number;
  schema_version: number;
  rows: Record<string, number>;
}

/** An uploaded set, catalogued, and what it holds. */
export interface UploadResult {
  backup: Backup;
  set: SetInfo;
}

/** The schedule as the server answers it: with the next runs of each enabled job, soonest first. */
export interface ScheduleRuns extends Schedule {
  /** RFC 3339 times by job ID (backup, optimize, vacuum, checkpoint); disabled jobs are absent. */
  next: Record<string, string[]>;
}

/** The folders under which API keys may register and stream videos. */
export interface MediaRoots {
  /** The data directory's media folder, always a root. */
  default?: string;
  /** The folders the owner added. */
  roots: string[];
}

/** Job run results. */
export type JobResult = 'ok' | 'error' | 'skipped' | 'running';

/** The record of one run of a maintenance job. */
export interface JobRun {
  id: number;
  job_id: string;
  started_at: string;
  finished_at?: string;
  result: JobResult;
  error?: string;
  bytes: number;
  detail?: string;
}

/** Opening the database upgraded its schema; the backup holds it as it was. */
export interface Upgrade {
  from: number;
  to: number;
  backup: string;
}

/**
 * The database facts plus, in the window, the build and where the data
 * lives. When the window could not open the database, database is absent and
 * open_error says why.
 */
export interface AppStatus {
  database?: DBStatus;
  version?: string;
  commit?: string;
  build_date?: string;
  /** The newest database schema this build supports. */
  schema_version?: number;
  data_dir?: string;
  api_url?: string;
  upgrade?: Upgrade;
  open_error?: string;
}

/**
 * What the desktop window hands its page with index.html (a JSON block, see
 * boot.ts), so that the history draws without asking first: the window's
 * status without the database's figures, the media server's base URL and
 * the history's first page, unfiltered, of limit tasks.
 */
export interface WindowBoot {
  info: AppStatus;
  media_base?: string;
  first_page?: FirstPage;
}

/** The history's first page as the window read it before the page asked. */
export interface FirstPage {
  limit: number;
  page: TaskPage;
}

/** A change pushed by the server (SSE) or the window (Wails events). */
export interface Notification {
  type: 'task' | 'video' | 'poster' | 'library' | 'trash' | 'collection' | 'backup_progress' | 'job' | 'restore' | 'drill' | 'resync' | string;
  task_id?: string;
  status?: Status;
  progress?: number;
  data?: unknown;
}

/** Who is calling: the owner, or a user through its API key. */
export interface Me {
  owner: boolean;
  user?: User;
}
