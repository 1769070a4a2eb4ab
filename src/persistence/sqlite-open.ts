/**
 * Opening midge's SQLite file, with every check that can stop start-up:
 * the folder and file can be opened and written, the file is SQLite and
 * midge's, its schema version is one this midge reads, and SQLite's own
 * check finds no corruption. Then WAL mode and the durability setting.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PersistenceError } from './errors.js';
import {
  APPLICATION_ID,
  CREATE_TABLES,
  MIGRATIONS,
  SCHEMA_VERSION,
} from './sqlite-schema.js';

/**
 * `normal`: a commit survives the process dying (WAL, synchronous=NORMAL:
 * the operating system has the data). `full`: it also survives power loss
 * (synchronous=FULL: fsync at each commit).
 */
export type Durability = 'normal' | 'full';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const AUTOCHECKPOINT_PAGES = 10_000;
/** How long to wait for a file another process holds before giving up. */
const BUSY_TIMEOUT_MS = 500;

export function openDatabase(path: string, durability: Durability): Database.Database {
  checkHeader(path);
  createPrivately(path);
  let db: Database.Database;
  try {
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw openError(path, error);
  }
  try {
    // midge alone uses the file while it runs: no file locking per
    // transaction and no shared-memory index (a measured ~10% of the cost
    // per message), and a second broker on the same file is refused.
    db.pragma('locking_mode = EXCLUSIVE');
    prepare(db, path, durability);
  } catch (error) {
    db.close();
    throw error instanceof PersistenceError ? error : openError(path, error);
  }
  return db;
}

/** A file that is there but not SQLite is refused before SQLite sees it. */
function checkHeader(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (!head.equals(SQLITE_MAGIC)) {
    throw new PersistenceError(
      'NOT_MIDGE',
      `${path} is not a midge database (it is not an SQLite file); midge will ` +
        'not write over it. Move it away or set persistence_file to another name.',
    );
  }
}

/** Like Mosquitto's, the file is readable by its owner only. */
function createPrivately(path: string): void {
  if (existsSync(path)) return;
  const dir = dirname(path);
  if (!existsSync(dir)) {
    throw new PersistenceError(
      'CANNOT_OPEN',
      `Unable to open persistence file ${path}: the folder ${dir} does not exist.`,
    );
  }
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    throw openError(path, error);
  }
}

function prepare(db: Database.Database, path: string, durability: Durability): void {
  const appId = db.pragma('application_id', { simple: true });
  const version = db.pragma('user_version', { simple: true }) as number;
  const tables = db
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'")
    .get() as { n: number };
  if (tables.n === 0 && appId === 0 && version === 0) {
    createSchema(db);
  } else if (appId !== APPLICATION_ID) {
    throw new PersistenceError(
      'NOT_MIDGE',
      `${path} is an SQLite database but not midge's; midge will not write over ` +
        'it. Move it away or set persistence_file to another name.',
    );
  } else if (version > SCHEMA_VERSION) {
    throw new PersistenceError(
      'NEWER_VERSION',
      `${path} was written by a newer midge (schema version ${version}; this ` +
        `midge reads up to version ${SCHEMA_VERSION}). Run the newer midge, or ` +
        'move the file away to start without saved state.',
    );
  } else if (version < 1) {
    throw corrupt(path, 'it has midge tables but no schema version');
  }
  checkIntegrity(db, path);
  migrate(db, version);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal') {
    throw new PersistenceError('NOT_WRITABLE', `${path}: cannot use WAL mode (${mode}).`);
  }
  db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  // A checkpoint runs inside a commit and fsyncs twice, stalling the event
  // loop; every 10 000 pages (some 40 MB of log) instead of SQLite's 1 000
  // makes that a rare pause rather than a steady tax on throughput.
  // LIMIT(perf): the pause is still there, tens of milliseconds on a busy
  // disk (the fsync writes the whole log out); checkpointing from a worker
  // thread would need a second connection, hence no exclusive locking.
  db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  // A write now, so a file that cannot be written stops start-up rather
  // than the first acknowledgement.
  db.exec('BEGIN IMMEDIATE; COMMIT');
}

function createSchema(db: Database.Database): void {
  db.transaction(() => {
    db.exec(CREATE_TABLES);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

/** Brings a file written by an older midge up to this version, in place. */
function migrate(db: Database.Database, version: number): void {
  if (version === 0 || version >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}

function checkIntegrity(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check(5)') as Array<{ quick_check: string }>;
  const problems = rows.map((r) => r.quick_check).filter((text) => text !== 'ok');
  if (problems.length > 0) throw corrupt(path, problems.join('; '));
}

function corrupt(path: string, detail: string): PersistenceError {
  return new PersistenceError(
    'CORRUPT',
    `${path} is corrupt (${detail}); midge will not replace it. Restore a ` +
      'backup, or move the file away to start without saved state.',
  );
}

/** SQLite's and the file system's errors, in words for the log. */
function openError(path: string, error: unknown): PersistenceError {
  const e = error as NodeJS.ErrnoException;
  const code = e.code ?? '';
  const cause = { cause: error };
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return corrupt(path, e.message);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new PersistenceError(
      'IN_USE',
      `${path} is in use by another program (another midge on the same ` +
        'persistence_location?); two brokers must not share a database.',
      cause,
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS') {
    return new PersistenceError(
      'NOT_WRITABLE',
      `Unable to write persistence file ${path}: ${e.message}.`,
      cause,
    );
  }
  return new PersistenceError(
    'CANNOT_OPEN',
    `Unable to open persistence file ${path}: ${e.message}.`,
    cause,
  );
}
