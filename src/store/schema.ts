// The SQLite schema as an ordered list of migrations. user_version = number of migrations applied.
// Never edit a shipped migration: append a new one (users' DBs are their data).

/** application_id stamped on every leak-track DB ('LKDT'), so a foreign SQLite file is recognised. */
export const APPLICATION_ID = 0x4c4b4454;

export const MIGRATIONS: readonly string[] = [
  // 1: sessions, processes (a reused PID is a new row: (pid, start_ticks) identifies a process), samples.
  `CREATE TABLE sessions (
     id           INTEGER PRIMARY KEY,
     label        TEXT NOT NULL,
     started_at   TEXT NOT NULL,
     ended_at     TEXT,
     end_reason   TEXT,
     interval_s   REAL NOT NULL,
     source       TEXT NOT NULL DEFAULT 'track',
     target       TEXT,
     host         TEXT,
     tool_version TEXT
   );
   CREATE TABLE processes (
     id           INTEGER PRIMARY KEY,
     session_id   INTEGER NOT NULL REFERENCES sessions(id),
     pid          INTEGER NOT NULL,
     ppid         INTEGER NOT NULL DEFAULT 0,
     start_ticks  INTEGER NOT NULL DEFAULT 0,
     name         TEXT NOT NULL DEFAULT '',
     cmdline      TEXT NOT NULL DEFAULT '',
     role         TEXT NOT NULL CHECK (role IN ('main', 'child')),
     first_seen_ms INTEGER,
     exited_ms    INTEGER,
     UNIQUE (session_id, pid, start_ticks)
   );
   CREATE TABLE samples (
     process_id INTEGER NOT NULL REFERENCES processes(id),
     t_ms       INTEGER NOT NULL,
     rss  INTEGER, uss INTEGER, pss INTEGER, swap INTEGER, vram INTEGER, cpu REAL,
     PRIMARY KEY (process_id, t_ms)
   ) WITHOUT ROWID;
   CREATE INDEX samples_by_time ON samples (t_ms);`,
  // 2: the memory limit the target ran under (cgroup or the machine's RAM), so a report can say when
  // growing peaks reach it. Old sessions keep NULL.
  `ALTER TABLE sessions ADD COLUMN mem_limit_bytes INTEGER;
   ALTER TABLE sessions ADD COLUMN mem_limit_source TEXT;`,
  // 3: leak-track --explain. A profile of one tracked process taken while tracking (its result as
  // Profile JSON, or why none could be taken), and the windows in which that profile paused or
  // inflated the target, so the fit leaves them out and the charts mark them.
  `CREATE TABLE profiles (
     id           INTEGER PRIMARY KEY,
     session_id   INTEGER NOT NULL REFERENCES sessions(id),
     process_id   INTEGER REFERENCES processes(id),
     pid          INTEGER NOT NULL,
     runtime      TEXT,
     started_ms   INTEGER NOT NULL,
     ended_ms     INTEGER,
     status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
     trigger_rate REAL,
     trigger_lo   REAL,
     trigger_hi   REAL,
     message      TEXT,
     report_json  TEXT
   );
   CREATE INDEX profiles_by_session ON profiles (session_id);
   CREATE TABLE profile_windows (
     profile_id INTEGER NOT NULL REFERENCES profiles(id),
     start_ms   INTEGER NOT NULL,
     end_ms     INTEGER NOT NULL,
     kind       TEXT NOT NULL CHECK (kind IN ('paused', 'inflated')),
     CHECK (end_ms >= start_ms)
   );
   CREATE INDEX profile_windows_by_profile ON profile_windows (profile_id);`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
