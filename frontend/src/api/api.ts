import type {
  Backup,
  BulkRequest,
  BulkResult,
  Collection,
  RerunInput,
  TagCount,
  TrashResult,
  TrashSettings,
  ExportSaved,
  DestinationInput,
  RestoreRequest,
  RestoreResult,
  DestinationStatus,
  DrillRequest,
  DrillResult,
  Proven,
  TaskPreview,
  TaskRestoreResult,
  UploadResult,
  BackupPlace,
  DayStats,
  AppStatus,
  JobRun,
  MediaRoots,
  Me,
  RelinkReport,
  StorageReport,
  Notification,
  Schedule,
  ScheduleRuns,
  StatusCounts,
  Task,
  TaskPage,
  TaskQuery,
  User,
  UserCreate,
  UserWithKey,
  Video,
  VideoFix,
} from './types';

/** The filters countTasks takes: those of listTasks without the paging. */
export type CountQuery = Omit<TaskQuery, 'cursor' | 'limit'>;

/**
 * Whether the page shows live data: connecting at first, live while the
 * event stream is open, reconnecting while it is down, signed out when the
 * owner session is gone (the page then shows nothing new).
 */
export type Connection = 'connecting' | 'live' | 'reconnecting' | 'signed_out';

/** Maintenance operations the user can run by hand. */
export type MaintenanceOp = 'optimize' | 'analyze' | 'vacuum' | 'check' | 'checkpoint';

/**
 * Everything the UI asks of Reelvault. Two transports implement it: the HTTP
 * API in a browser and the bound Go methods in the desktop window. Every
 * method rejects with an ApiError.
 */
export interface Api {
  /** Which transport is in use, for display. */
  readonly transport: 'http' | 'wails';
  me(): Promise<Me>;
  listTasks(q: TaskQuery): Promise<TaskPage>;
  /**
   * Tasks per status matching the filters of listTasks (search, status,
   * username and the days [from, to]); every status is present.
   */
  countTasks(q: CountQuery): Promise<StatusCounts>;
  getTask(taskId: string): Promise<Task>;
  cancelTask(taskId: string): Promise<Task>;
  dailyStats(from: string, to: string): Promise<DayStats[]>;
  status(): Promise<AppStatus>;
  listUsers(): Promise<User[]>;
  createUser(input: UserCreate): Promise<UserWithKey>;
  rotateKey(username: string): Promise<UserWithKey>;
  setActive(username: string, active: boolean): Promise<User>;
  setQuota(username: string, quota: number): Promise<User>;
  listBackups(): Promise<Backup[]>;
  createBackup(): Promise<Backup>;
  restoreBackup(name: string): Promise<void>;
  /** The backup destinations: the local folder first, connected or unplugged. */
  listDestinations(): Promise<DestinationStatus[]>;
  addDestination(input: DestinationInput): Promise<DestinationStatus>;
  removeDestination(name: string): Promise<void>;
  /** Takes a manual backup set into a destination ("" for the local folder). */
  backupTo(to: string, dbOnly: boolean): Promise<Backup>;
  /** Restores a set of any destination: with a passphrase, into a folder, or the database alone. */
  restoreSet(name: string, opts: RestoreRequest): Promise<RestoreResult>;
  undoRestore(): Promise<void>;
  /** What differs between a backup and the live history; changes nothing. */
  previewTasks(name: string): Promise<TaskPreview>;
  /** Restores only the tasks ids from a backup; undoRestore puts them back. */
  restoreTasks(name: string, ids: string[]): Promise<TaskRestoreResult>;
  /** When backups were last proven restorable, per destination. */
  listProven(): Promise<Proven[]>;
  /** Runs a restore drill of a backup (the newest when no name) now. */
  runDrill(name?: string): Promise<DrillResult>;
  /** Runs a restore drill of a destination's set (its newest when no name) now; an encrypted one needs the passphrase. */
  drillSet(req: DrillRequest): Promise<DrillResult>;
  /** Keeps a backup file as an uploaded set and says what it holds; nothing live changes. */
  uploadBackup(file: Blob): Promise<UploadResult>;
  /** Where the backups are kept, and the restore undo would take back. */
  backupPlace(): Promise<BackupPlace>;
  /** Deletes a backup; the newest verified one and the one undo returns to are refused. */
  deleteBackup(name: string): Promise<void>;
  /** The URL that downloads a backup file (a browser only). */
  backupDownloadUrl?(name: string): string;
  /** Shows the backups folder in the system's file manager (the window only). */
  openBackupsFolder?(): Promise<void>;
  getSchedule(): Promise<ScheduleRuns>;
  setSchedule(s: Schedule): Promise<ScheduleRuns>;
  listJobs(): Promise<JobRun[]>;
  runMaintenance(op: MaintenanceOp): Promise<JobRun>;
  listMediaRoots(): Promise<MediaRoots>;
  /** Adds an existing folder, by absolute path. */
  addMediaRoot(path: string): Promise<MediaRoots>;
  removeMediaRoot(path: string): Promise<MediaRoots>;
  /** Shows the data folder in the system's file manager; only the window can. */
  openDataFolder?(): Promise<void>;
  /** The URL a <video> element plays a registered video from. */
  mediaUrl(videoId: number): string;
  /**
   * The URL of a task's poster frame: a JPEG once made, a 1×1 image while it
   * is being made (a "poster" notification says when it is ready), an error
   * where posters cannot be made (no ffmpeg).
   */
  posterUrl(taskId: string): string;
  /** Disk use per user, collection and task, and the missing files. */
  storage(): Promise<StorageReport>;
  /** Finds moved video files in a folder and re-links them (the owner's). */
  relink(folder: string, dryRun: boolean): Promise<RelinkReport>;
  /** Unregisters a scene's video (scene 0: the final video); the file stays on disk. */
  removeVideo(taskId: string, scene: number): Promise<void>;
  /** Registers another file for a scene that has a video (scene 0: the final video). */
  replaceVideo(taskId: string, scene: number, fix: VideoFix): Promise<Video>;
  /** Shows the system's open-file dialog; the chosen path, or "" (the desktop window only). */
  chooseVideoFile?(): Promise<string>;
  /** Opens a video in the system's default player (the desktop window only). */
  openVideo?(videoId: number): Promise<void>;
  /** Shows a video's file in the system's file manager (the desktop window only). */
  showVideo?(videoId: number): Promise<void>;
  /** Ends every owner session and sign-in link, this one too (a browser only). */
  signOutEverywhere?(): Promise<void>;
  /**
   * The window's status as it was handed over with the page (no database
   * figures), so the window need not ask before drawing; absent in a
   * browser, and in a window that did not hand it over.
   */
  windowInfo?(): AppStatus | undefined;
  /**
   * The first page of listTasks(q), when the window handed it over with the
   * page and q asks for exactly it: the history draws its rows in its first
   * render. Answered once; undefined otherwise (a browser, any filter).
   */
  firstPage?(q: TaskQuery): TaskPage | undefined;
  /** The page's connection now; absent where it is always live (the window). */
  connection?(): Connection;
  /** Calls fn when the connection changes; returns an unsubscribe function. */
  watchConnection?(fn: (c: Connection) => void): () => void;
  /** Moves tasks to the trash, with their video files when deleteFiles (to the system trash where there is one). */
  trashTasks(ids: string[], deleteFiles: boolean): Promise<TrashResult>;
  /** Brings trashed tasks back. */
  restoreFromTrash(ids: string[]): Promise<TrashResult>;
  /** Deletes every trashed task the caller can see, for good. */
  emptyTrash(): Promise<TrashResult>;
  setStar(taskId: string, starred: boolean): Promise<Task>;
  /** Rates a task 1–5; 0 clears the rating. */
  setRating(taskId: string, rating: number): Promise<Task>;
  /** Adds and removes tags; answers the task as it now is. */
  tagTask(taskId: string, add: string[], remove: string[]): Promise<Task>;
  /** The tags in use, most used first. */
  listTags(): Promise<TagCount[]>;
  /** The collections by name, with counts and covers. */
  listCollections(): Promise<Collection[]>;
  createCollection(name: string): Promise<Collection>;
  renameCollection(name: string, newName: string): Promise<Collection>;
  /** Deletes a collection; its tasks stay. */
  deleteCollection(name: string): Promise<void>;
  /** Makes a task of the collection its cover ("" goes back to the newest). */
  setCollectionCover(name: string, taskId: string): Promise<Collection>;
  /** Puts tasks in a collection; resolves to how many were not in it yet. */
  addToCollection(name: string, ids: string[]): Promise<number>;
  /** Takes tasks out of a collection; resolves to how many were in it. */
  removeFromCollection(name: string, ids: string[]): Promise<number>;
  /** Applies one action to listed tasks or to all a filter matches. */
  bulkTasks(req: BulkRequest): Promise<BulkResult>;
  /** Creates a new pending task from a finished one, changed by input. */
  rerunTask(taskId: string, input: RerunInput): Promise<Task>;
  /** A task's takes: the origin and every rerun, oldest first. */
  takes(taskId: string): Promise<Task[]>;
  /**
   * Exports the listed tasks (at most 10,000): a browser downloads the file,
   * the window asks where to save it (an empty path: the user cancelled).
   */
  exportTasks(ids: string[]): Promise<ExportSaved>;
  /** How many days trashed tasks stay restorable. */
  trashRetention(): Promise<TrashSettings>;
  /** Sets how many days (1–3650) trashed tasks stay restorable; the owner only. */
  setTrashRetention(days: number): Promise<TrashSettings>;
  /** Calls fn for every change pushed by the backend; returns an unsubscribe function. */
  subscribe(fn: (n: Notification) => void): () => void;
}
