export namespace desktop {
	
	export class BackupPlace {
	    dir: string;
	    undo?: domain.LastRestore;
	
	    static createFrom(source: any = {}) {
	        return new BackupPlace(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dir = source["dir"];
	        this.undo = this.convertValues(source["undo"], domain.LastRestore);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Changed {
	    changed: number;
	
	    static createFrom(source: any = {}) {
	        return new Changed(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.changed = source["changed"];
	    }
	}
	export class CollectionList {
	    collections: domain.Collection[];
	
	    static createFrom(source: any = {}) {
	        return new CollectionList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.collections = this.convertValues(source["collections"], domain.Collection);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DestinationInput {
	    name: string;
	    dir: string;
	    cron: string;
	    keep: number;
	    encrypt: boolean;
	    passphrase: string;
	
	    static createFrom(source: any = {}) {
	        return new DestinationInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.dir = source["dir"];
	        this.cron = source["cron"];
	        this.keep = source["keep"];
	        this.encrypt = source["encrypt"];
	        this.passphrase = source["passphrase"];
	    }
	}
	export class ExportSaved {
	    path: string;
	    bytes: number;
	
	    static createFrom(source: any = {}) {
	        return new ExportSaved(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.bytes = source["bytes"];
	    }
	}
	export class Status {
	    version: string;
	    commit?: string;
	    build_date?: string;
	    schema_version?: number;
	    data_dir: string;
	    api_url?: string;
	    // Go type: domain
	    upgrade?: any;
	    open_error?: string;
	    database?: domain.DBStatus;
	
	    static createFrom(source: any = {}) {
	        return new Status(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.commit = source["commit"];
	        this.build_date = source["build_date"];
	        this.schema_version = source["schema_version"];
	        this.data_dir = source["data_dir"];
	        this.api_url = source["api_url"];
	        this.upgrade = this.convertValues(source["upgrade"], null);
	        this.open_error = source["open_error"];
	        this.database = this.convertValues(source["database"], domain.DBStatus);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TagList {
	    tags: domain.TagCount[];
	
	    static createFrom(source: any = {}) {
	        return new TagList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tags = this.convertValues(source["tags"], domain.TagCount);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TaskList {
	    tasks: domain.Task[];
	
	    static createFrom(source: any = {}) {
	        return new TaskList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tasks = this.convertValues(source["tasks"], domain.Task);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class UploadResult {
	    backup?: domain.Backup;
	    set?: domain.SetInfo;
	
	    static createFrom(source: any = {}) {
	        return new UploadResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = this.convertValues(source["backup"], domain.Backup);
	        this.set = this.convertValues(source["set"], domain.SetInfo);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class VideoFix {
	    file_path: string;
	    duration?: number;
	    width?: number;
	    height?: number;
	    fps?: number;
	
	    static createFrom(source: any = {}) {
	        return new VideoFix(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.file_path = source["file_path"];
	        this.duration = source["duration"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.fps = source["fps"];
	    }
	}

}

export namespace domain {
	
	export class SkippedFile {
	    path: string;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new SkippedFile(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.reason = source["reason"];
	    }
	}
	export class BackupMedia {
	    files: number;
	    bytes: number;
	    new_files: number;
	    new_bytes: number;
	    skipped?: SkippedFile[];
	    skipped_count: number;
	
	    static createFrom(source: any = {}) {
	        return new BackupMedia(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.files = source["files"];
	        this.bytes = source["bytes"];
	        this.new_files = source["new_files"];
	        this.new_bytes = source["new_bytes"];
	        this.skipped = this.convertValues(source["skipped"], SkippedFile);
	        this.skipped_count = source["skipped_count"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Backup {
	    name: string;
	    kind: string;
	    // Go type: time
	    created_at: any;
	    size: number;
	    sha256: string;
	    schema_version: number;
	    rows: Record<string, number>;
	    // Go type: time
	    verified_at: any;
	    path?: string;
	    media?: BackupMedia;
	    destination?: string;
	    encrypted?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Backup(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.kind = source["kind"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.size = source["size"];
	        this.sha256 = source["sha256"];
	        this.schema_version = source["schema_version"];
	        this.rows = source["rows"];
	        this.verified_at = this.convertValues(source["verified_at"], null);
	        this.path = source["path"];
	        this.media = this.convertValues(source["media"], BackupMedia);
	        this.destination = source["destination"];
	        this.encrypted = source["encrypted"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class LastRestore {
	    pre_restore: string;
	    source: string;
	    // Go type: time
	    at: any;
	
	    static createFrom(source: any = {}) {
	        return new LastRestore(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pre_restore = source["pre_restore"];
	        this.source = source["source"];
	        this.at = this.convertValues(source["at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BackupList {
	    backups: Backup[];
	    dir?: string;
	    undo?: LastRestore;
	
	    static createFrom(source: any = {}) {
	        return new BackupList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backups = this.convertValues(source["backups"], Backup);
	        this.dir = source["dir"];
	        this.undo = this.convertValues(source["undo"], LastRestore);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TaskFilter {
	    user_id?: number;
	    username?: string;
	    status?: string[];
	    // Go type: time
	    created_from?: any;
	    // Go type: time
	    created_to?: any;
	    search?: string;
	    starred?: boolean;
	    rating?: number;
	    tags?: string[];
	    collection?: string;
	    trashed?: boolean;
	    cursor?: string;
	    limit?: number;
	
	    static createFrom(source: any = {}) {
	        return new TaskFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.user_id = source["user_id"];
	        this.username = source["username"];
	        this.status = source["status"];
	        this.created_from = this.convertValues(source["created_from"], null);
	        this.created_to = this.convertValues(source["created_to"], null);
	        this.search = source["search"];
	        this.starred = source["starred"];
	        this.rating = source["rating"];
	        this.tags = source["tags"];
	        this.collection = source["collection"];
	        this.trashed = source["trashed"];
	        this.cursor = source["cursor"];
	        this.limit = source["limit"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkRequest {
	    task_ids?: string[];
	    filter?: TaskFilter;
	    action: string;
	    tag?: string;
	    collection?: string;
	    rating?: number;
	
	    static createFrom(source: any = {}) {
	        return new BulkRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.task_ids = source["task_ids"];
	        this.filter = this.convertValues(source["filter"], TaskFilter);
	        this.action = source["action"];
	        this.tag = source["tag"];
	        this.collection = source["collection"];
	        this.rating = source["rating"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class BulkResult {
	    matched: number;
	    changed: number;
	
	    static createFrom(source: any = {}) {
	        return new BulkResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.matched = source["matched"];
	        this.changed = source["changed"];
	    }
	}
	export class Collection {
	    id: number;
	    name: string;
	    count: number;
	    cover_task_id?: string;
	    // Go type: time
	    created_at: any;
	
	    static createFrom(source: any = {}) {
	        return new Collection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.count = source["count"];
	        this.cover_task_id = source["cover_task_id"];
	        this.created_at = this.convertValues(source["created_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TableSize {
	    name: string;
	    bytes: number;
	    rows?: number;
	
	    static createFrom(source: any = {}) {
	        return new TableSize(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.bytes = source["bytes"];
	        this.rows = source["rows"];
	    }
	}
	export class DBStatus {
	    engine: string;
	    path?: string;
	    file_size: number;
	    wal_size: number;
	    free_pages: number;
	    page_size: number;
	    schema_version: number;
	    tables: TableSize[];
	    counts: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new DBStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.engine = source["engine"];
	        this.path = source["path"];
	        this.file_size = source["file_size"];
	        this.wal_size = source["wal_size"];
	        this.free_pages = source["free_pages"];
	        this.page_size = source["page_size"];
	        this.schema_version = source["schema_version"];
	        this.tables = this.convertValues(source["tables"], TableSize);
	        this.counts = source["counts"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DayStats {
	    date: string;
	    total_tasks: number;
	    completed_tasks: number;
	    failed_tasks: number;
	    cancelled_tasks: number;
	    total_videos: number;
	    total_video_seconds: number;
	    avg_generation_time: number;
	    p95_generation_time: number;
	
	    static createFrom(source: any = {}) {
	        return new DayStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.date = source["date"];
	        this.total_tasks = source["total_tasks"];
	        this.completed_tasks = source["completed_tasks"];
	        this.failed_tasks = source["failed_tasks"];
	        this.cancelled_tasks = source["cancelled_tasks"];
	        this.total_videos = source["total_videos"];
	        this.total_video_seconds = source["total_video_seconds"];
	        this.avg_generation_time = source["avg_generation_time"];
	        this.p95_generation_time = source["p95_generation_time"];
	    }
	}
	export class DestinationStatus {
	    name: string;
	    dir: string;
	    cron: string;
	    keep: number;
	    encrypted: boolean;
	    // Go type: time
	    added_at: any;
	    connected: boolean;
	    sets: number;
	    // Go type: time
	    last_backup?: any;
	    // Go type: time
	    next_run?: any;
	    problem?: string;
	
	    static createFrom(source: any = {}) {
	        return new DestinationStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.dir = source["dir"];
	        this.cron = source["cron"];
	        this.keep = source["keep"];
	        this.encrypted = source["encrypted"];
	        this.added_at = this.convertValues(source["added_at"], null);
	        this.connected = source["connected"];
	        this.sets = source["sets"];
	        this.last_backup = this.convertValues(source["last_backup"], null);
	        this.next_run = this.convertValues(source["next_run"], null);
	        this.problem = source["problem"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DrillRequest {
	    name?: string;
	    destination?: string;
	    passphrase?: string;
	
	    static createFrom(source: any = {}) {
	        return new DrillRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.destination = source["destination"];
	        this.passphrase = source["passphrase"];
	    }
	}
	export class DrillResult {
	    destination: string;
	    backup: string;
	    ok: boolean;
	    error?: string;
	    // Go type: time
	    started_at: any;
	    seconds: number;
	    tasks: number;
	    checks: string[];
	    files_checked: number;
	
	    static createFrom(source: any = {}) {
	        return new DrillResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.destination = source["destination"];
	        this.backup = source["backup"];
	        this.ok = source["ok"];
	        this.error = source["error"];
	        this.started_at = this.convertValues(source["started_at"], null);
	        this.seconds = source["seconds"];
	        this.tasks = source["tasks"];
	        this.checks = source["checks"];
	        this.files_checked = source["files_checked"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Event {
	    id: number;
	    task_id: string;
	    type: string;
	    status: string;
	    progress: number;
	    message?: string;
	    // Go type: time
	    created_at: any;
	
	    static createFrom(source: any = {}) {
	        return new Event(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.task_id = source["task_id"];
	        this.type = source["type"];
	        this.status = source["status"];
	        this.progress = source["progress"];
	        this.message = source["message"];
	        this.created_at = this.convertValues(source["created_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class JobRun {
	    id: number;
	    job_id: string;
	    // Go type: time
	    started_at: any;
	    // Go type: time
	    finished_at?: any;
	    result: string;
	    error?: string;
	    bytes: number;
	    detail?: string;
	
	    static createFrom(source: any = {}) {
	        return new JobRun(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.job_id = source["job_id"];
	        this.started_at = this.convertValues(source["started_at"], null);
	        this.finished_at = this.convertValues(source["finished_at"], null);
	        this.result = source["result"];
	        this.error = source["error"];
	        this.bytes = source["bytes"];
	        this.detail = source["detail"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class JobList {
	    jobs: JobRun[];
	
	    static createFrom(source: any = {}) {
	        return new JobList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.jobs = this.convertValues(source["jobs"], JobRun);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class MediaRoots {
	    default?: string;
	    roots: string[];
	
	    static createFrom(source: any = {}) {
	        return new MediaRoots(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.default = source["default"];
	        this.roots = source["roots"];
	    }
	}
	export class MissingVideo {
	    video_id: number;
	    task_id: string;
	    username: string;
	    scene_number: number;
	    file_path: string;
	    file_size?: number;
	
	    static createFrom(source: any = {}) {
	        return new MissingVideo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.video_id = source["video_id"];
	        this.task_id = source["task_id"];
	        this.username = source["username"];
	        this.scene_number = source["scene_number"];
	        this.file_path = source["file_path"];
	        this.file_size = source["file_size"];
	    }
	}
	export class PreviewTask {
	    task_id: string;
	    diff: string;
	    username: string;
	    prompt: string;
	    status: string;
	    // Go type: time
	    created_at: any;
	    missing_files?: string[];
	
	    static createFrom(source: any = {}) {
	        return new PreviewTask(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.task_id = source["task_id"];
	        this.diff = source["diff"];
	        this.username = source["username"];
	        this.prompt = source["prompt"];
	        this.status = source["status"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.missing_files = source["missing_files"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Proven {
	    destination: string;
	    // Go type: time
	    last_ok?: any;
	    backup?: string;
	    // Go type: time
	    last?: any;
	    failed: boolean;
	    error?: string;
	    skipped?: string;
	    // Go type: time
	    skipped_at?: any;
	
	    static createFrom(source: any = {}) {
	        return new Proven(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.destination = source["destination"];
	        this.last_ok = this.convertValues(source["last_ok"], null);
	        this.backup = source["backup"];
	        this.last = this.convertValues(source["last"], null);
	        this.failed = source["failed"];
	        this.error = source["error"];
	        this.skipped = source["skipped"];
	        this.skipped_at = this.convertValues(source["skipped_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RelinkedVideo {
	    video_id: number;
	    task_id: string;
	    scene_number: number;
	    from: string;
	    to?: string;
	    by?: string;
	    reason?: string;
	
	    static createFrom(source: any = {}) {
	        return new RelinkedVideo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.video_id = source["video_id"];
	        this.task_id = source["task_id"];
	        this.scene_number = source["scene_number"];
	        this.from = source["from"];
	        this.to = source["to"];
	        this.by = source["by"];
	        this.reason = source["reason"];
	    }
	}
	export class RelinkReport {
	    folder: string;
	    dry_run: boolean;
	    files_scanned: number;
	    missing: number;
	    relinked: RelinkedVideo[];
	    unmatched: RelinkedVideo[];
	
	    static createFrom(source: any = {}) {
	        return new RelinkReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.folder = source["folder"];
	        this.dry_run = source["dry_run"];
	        this.files_scanned = source["files_scanned"];
	        this.missing = source["missing"];
	        this.relinked = this.convertValues(source["relinked"], RelinkedVideo);
	        this.unmatched = this.convertValues(source["unmatched"], RelinkedVideo);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ScriptInput {
	    scene_number: number;
	    description: string;
	    duration: number;
	    camera_movement?: string;
	    lighting?: string;
	
	    static createFrom(source: any = {}) {
	        return new ScriptInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.scene_number = source["scene_number"];
	        this.description = source["description"];
	        this.duration = source["duration"];
	        this.camera_movement = source["camera_movement"];
	        this.lighting = source["lighting"];
	    }
	}
	export class RerunInput {
	    prompt?: string;
	    scripts?: ScriptInput[];
	
	    static createFrom(source: any = {}) {
	        return new RerunInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.prompt = source["prompt"];
	        this.scripts = this.convertValues(source["scripts"], ScriptInput);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RestoreRequest {
	    passphrase?: string;
	    into?: string;
	    db_only?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new RestoreRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.passphrase = source["passphrase"];
	        this.into = source["into"];
	        this.db_only = source["db_only"];
	    }
	}
	export class RestoredFiles {
	    restored: number;
	    bytes: number;
	    same: number;
	    kept_aside?: SkippedFile[];
	    relinked?: string;
	    removed?: number;
	
	    static createFrom(source: any = {}) {
	        return new RestoredFiles(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.restored = source["restored"];
	        this.bytes = source["bytes"];
	        this.same = source["same"];
	        this.kept_aside = this.convertValues(source["kept_aside"], SkippedFile);
	        this.relinked = source["relinked"];
	        this.removed = source["removed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RestoreResult {
	    source: string;
	    pre_restore?: Backup;
	    schema_version: number;
	    rows: Record<string, number>;
	    files?: RestoredFiles;
	
	    static createFrom(source: any = {}) {
	        return new RestoreResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.source = source["source"];
	        this.pre_restore = this.convertValues(source["pre_restore"], Backup);
	        this.schema_version = source["schema_version"];
	        this.rows = source["rows"];
	        this.files = this.convertValues(source["files"], RestoredFiles);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Schedule {
	    backup: string;
	    keep: number;
	    keep_daily: number;
	    keep_weekly: number;
	    optimize: string;
	    vacuum: string;
	    checkpoint: string;
	    drill: string;
	
	    static createFrom(source: any = {}) {
	        return new Schedule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = source["backup"];
	        this.keep = source["keep"];
	        this.keep_daily = source["keep_daily"];
	        this.keep_weekly = source["keep_weekly"];
	        this.optimize = source["optimize"];
	        this.vacuum = source["vacuum"];
	        this.checkpoint = source["checkpoint"];
	        this.drill = source["drill"];
	    }
	}
	export class ScheduleRuns {
	    backup: string;
	    keep: number;
	    keep_daily: number;
	    keep_weekly: number;
	    optimize: string;
	    vacuum: string;
	    checkpoint: string;
	    drill: string;
	    next: Record<string, string[]>;
	
	    static createFrom(source: any = {}) {
	        return new ScheduleRuns(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = source["backup"];
	        this.keep = source["keep"];
	        this.keep_daily = source["keep_daily"];
	        this.keep_weekly = source["keep_weekly"];
	        this.optimize = source["optimize"];
	        this.vacuum = source["vacuum"];
	        this.checkpoint = source["checkpoint"];
	        this.drill = source["drill"];
	        this.next = source["next"];
	    }
	}
	export class Script {
	    id: number;
	    task_id: string;
	    scene_number: number;
	    description: string;
	    duration: number;
	    camera_movement?: string;
	    lighting?: string;
	    // Go type: time
	    created_at: any;
	
	    static createFrom(source: any = {}) {
	        return new Script(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.task_id = source["task_id"];
	        this.scene_number = source["scene_number"];
	        this.description = source["description"];
	        this.duration = source["duration"];
	        this.camera_movement = source["camera_movement"];
	        this.lighting = source["lighting"];
	        this.created_at = this.convertValues(source["created_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class SnippetPart {
	    text: string;
	    hit?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SnippetPart(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.text = source["text"];
	        this.hit = source["hit"];
	    }
	}
	export class SearchMatch {
	    field: string;
	    scene_number?: number;
	    snippet: SnippetPart[];
	
	    static createFrom(source: any = {}) {
	        return new SearchMatch(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.field = source["field"];
	        this.scene_number = source["scene_number"];
	        this.snippet = this.convertValues(source["snippet"], SnippetPart);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class SetInfo {
	    name: string;
	    engine: string;
	    // Go type: time
	    created_at?: any;
	    size: number;
	    schema_version: number;
	    rows: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new SetInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.engine = source["engine"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.size = source["size"];
	        this.schema_version = source["schema_version"];
	        this.rows = source["rows"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class StorageUsage {
	    key: string;
	    label?: string;
	    username?: string;
	    bytes: number;
	    videos: number;
	    missing: number;
	
	    static createFrom(source: any = {}) {
	        return new StorageUsage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.key = source["key"];
	        this.label = source["label"];
	        this.username = source["username"];
	        this.bytes = source["bytes"];
	        this.videos = source["videos"];
	        this.missing = source["missing"];
	    }
	}
	export class StorageReport {
	    total_bytes: number;
	    videos: number;
	    missing_count: number;
	    users: StorageUsage[];
	    tasks: StorageUsage[];
	    collections: StorageUsage[];
	    missing: MissingVideo[];
	
	    static createFrom(source: any = {}) {
	        return new StorageReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total_bytes = source["total_bytes"];
	        this.videos = source["videos"];
	        this.missing_count = source["missing_count"];
	        this.users = this.convertValues(source["users"], StorageUsage);
	        this.tasks = this.convertValues(source["tasks"], StorageUsage);
	        this.collections = this.convertValues(source["collections"], StorageUsage);
	        this.missing = this.convertValues(source["missing"], MissingVideo);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class TagCount {
	    tag: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new TagCount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tag = source["tag"];
	        this.count = source["count"];
	    }
	}
	export class VideoClaim {
	    duration?: number;
	    width?: number;
	    height?: number;
	    fps?: number;
	
	    static createFrom(source: any = {}) {
	        return new VideoClaim(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.duration = source["duration"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.fps = source["fps"];
	    }
	}
	export class Video {
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
	    // Go type: time
	    created_at: any;
	    missing?: boolean;
	    codec?: string;
	    content_hash?: string;
	    // Go type: VideoClaim
	    claimed?: any;
	    mismatch?: string[];
	    probe_error?: string;
	    // Go type: time
	    probed_at?: any;
	
	    static createFrom(source: any = {}) {
	        return new Video(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.task_id = source["task_id"];
	        this.scene_number = source["scene_number"];
	        this.file_path = source["file_path"];
	        this.file_size = source["file_size"];
	        this.duration = source["duration"];
	        this.width = source["width"];
	        this.height = source["height"];
	        this.fps = source["fps"];
	        this.status = source["status"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.missing = source["missing"];
	        this.codec = source["codec"];
	        this.content_hash = source["content_hash"];
	        this.claimed = this.convertValues(source["claimed"], null);
	        this.mismatch = source["mismatch"];
	        this.probe_error = source["probe_error"];
	        this.probed_at = this.convertValues(source["probed_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Task {
	    task_id: string;
	    user_id: number;
	    username: string;
	    prompt: string;
	    status: string;
	    progress: number;
	    total_scenes: number;
	    completed_scenes: number;
	    final_video_path?: string;
	    error_message?: string;
	    attempts: number;
	    lease_owner?: string;
	    // Go type: time
	    lease_expires_at?: any;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	    // Go type: time
	    started_at?: any;
	    // Go type: time
	    completed_at?: any;
	    duration?: number;
	    starred: boolean;
	    rating?: number;
	    tags?: string[];
	    collections?: string[];
	    rerun_of?: string;
	    // Go type: time
	    trashed_at?: any;
	    scripts?: Script[];
	    videos?: Video[];
	    events?: Event[];
	    match?: SearchMatch;
	
	    static createFrom(source: any = {}) {
	        return new Task(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.task_id = source["task_id"];
	        this.user_id = source["user_id"];
	        this.username = source["username"];
	        this.prompt = source["prompt"];
	        this.status = source["status"];
	        this.progress = source["progress"];
	        this.total_scenes = source["total_scenes"];
	        this.completed_scenes = source["completed_scenes"];
	        this.final_video_path = source["final_video_path"];
	        this.error_message = source["error_message"];
	        this.attempts = source["attempts"];
	        this.lease_owner = source["lease_owner"];
	        this.lease_expires_at = this.convertValues(source["lease_expires_at"], null);
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.updated_at = this.convertValues(source["updated_at"], null);
	        this.started_at = this.convertValues(source["started_at"], null);
	        this.completed_at = this.convertValues(source["completed_at"], null);
	        this.duration = source["duration"];
	        this.starred = source["starred"];
	        this.rating = source["rating"];
	        this.tags = source["tags"];
	        this.collections = source["collections"];
	        this.rerun_of = source["rerun_of"];
	        this.trashed_at = this.convertValues(source["trashed_at"], null);
	        this.scripts = this.convertValues(source["scripts"], Script);
	        this.videos = this.convertValues(source["videos"], Video);
	        this.events = this.convertValues(source["events"], Event);
	        this.match = this.convertValues(source["match"], SearchMatch);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TaskPage {
	    tasks: Task[];
	    next_cursor?: string;
	
	    static createFrom(source: any = {}) {
	        return new TaskPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.tasks = this.convertValues(source["tasks"], Task);
	        this.next_cursor = source["next_cursor"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TaskPreview {
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
	
	    static createFrom(source: any = {}) {
	        return new TaskPreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = source["backup"];
	        this.schema_version = source["schema_version"];
	        this.set_tasks = source["set_tasks"];
	        this.live_tasks = source["live_tasks"];
	        this.same = source["same"];
	        this.missing = source["missing"];
	        this.changed = source["changed"];
	        this.only_here = source["only_here"];
	        this.files_missing = source["files_missing"];
	        this.tasks = this.convertValues(source["tasks"], PreviewTask);
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TaskRestoreResult {
	    backup: string;
	    added: string[];
	    replaced: string[];
	    days: string[];
	    undo: string;
	    files?: RestoredFiles;
	
	    static createFrom(source: any = {}) {
	        return new TaskRestoreResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backup = source["backup"];
	        this.added = source["added"];
	        this.replaced = source["replaced"];
	        this.days = source["days"];
	        this.undo = source["undo"];
	        this.files = this.convertValues(source["files"], RestoredFiles);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TrashResult {
	    changed: number;
	    files_trashed?: number;
	    files_left?: number;
	
	    static createFrom(source: any = {}) {
	        return new TrashResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.changed = source["changed"];
	        this.files_trashed = source["files_trashed"];
	        this.files_left = source["files_left"];
	    }
	}
	export class TrashSettings {
	    trash_retention_days: number;
	
	    static createFrom(source: any = {}) {
	        return new TrashSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.trash_retention_days = source["trash_retention_days"];
	    }
	}
	export class User {
	    id: number;
	    username: string;
	    email?: string;
	    key_prefix: string;
	    quota: number;
	    used_quota: number;
	    is_active: boolean;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    updated_at: any;
	
	    static createFrom(source: any = {}) {
	        return new User(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.username = source["username"];
	        this.email = source["email"];
	        this.key_prefix = source["key_prefix"];
	        this.quota = source["quota"];
	        this.used_quota = source["used_quota"];
	        this.is_active = source["is_active"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.updated_at = this.convertValues(source["updated_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class UserCreate {
	    username: string;
	    email?: string;
	    quota?: number;
	
	    static createFrom(source: any = {}) {
	        return new UserCreate(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.username = source["username"];
	        this.email = source["email"];
	        this.quota = source["quota"];
	    }
	}
	export class UserList {
	    users: User[];
	
	    static createFrom(source: any = {}) {
	        return new UserList(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.users = this.convertValues(source["users"], User);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class UserWithKey {
	    user?: User;
	    api_key: string;
	
	    static createFrom(source: any = {}) {
	        return new UserWithKey(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.user = this.convertValues(source["user"], User);
	        this.api_key = source["api_key"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

