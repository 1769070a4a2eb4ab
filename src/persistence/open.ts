/**
 * Persistence as the `midge` command runs it: find the file, refuse what
 * must not be touched, import a Mosquitto database on first start, restore
 * what was saved, then save every change, checkpointing on the autosave
 * schedule, on SIGUSR1 and at shutdown.
 *
 * midge commits each turn's changes as they happen, so `autosave_interval`
 * does not decide what a crash loses (nothing acknowledged is lost); it
 * sets how often the write-ahead log is folded into the database file.
 *
 * @example
 * const persistence = openPersistence(config, server.broker, log);
 * process.on('SIGUSR1', () => persistence.checkpoint());
 * // ... at shutdown, after the broker has closed:
 * persistence.close();
 */
import { rmSync } from 'node:fs';
import type { Broker } from '../broker/index.js';
import type { Config } from '../config/index.js';
import { type Logger, LogType } from '../log/log-types.js';
import { PersistenceError } from './errors.js';
import { Journal } from './journal.js';
import { isFresh, isMosquittoFile, persistencePaths } from './location.js';
import { type MosquittoDb, readMosquittoDb } from './mosquitto-db.js';
import { SqliteStore } from './sqlite-store.js';
import { emptyBatch, type Store } from './store.js';

export interface Persistence {
  /** The database file; '' when persistence is off. */
  readonly path: string;
  /** Commits what is pending and folds the log into the file (SIGUSR1). */
  checkpoint(): void;
  /** Commits what is pending and closes the file; after broker.close(). */
  close(): void;
}

const OFF: Persistence = { path: '', checkpoint() {}, close() {} };

type PersistenceConfig = Pick<
  Config,
  | 'persistence'
  | 'persistenceFile'
  | 'persistenceLocation'
  | 'persistenceDurability'
  | 'autosaveInterval'
  | 'autosaveOnChanges'
>;

/** Throws PersistenceError when the database cannot be used as it is. */
export function openPersistence(
  config: PersistenceConfig,
  broker: Broker,
  log: Logger,
): Persistence {
  if (!config.persistence) return OFF;
  const { file, mosquittoFile } = persistencePaths(config);
  if (isMosquittoFile(file)) throw mosquittoAtPath(file);
  const fresh = isFresh(file);
  // Read before midge's file exists, so a file that cannot be imported
  // leaves nothing behind and the import is tried again next time.
  const imported =
    fresh && isMosquittoFile(mosquittoFile) ? readMosquittoDb(mosquittoFile) : undefined;
  const store = new SqliteStore(file, config.persistenceDurability);
  try {
    if (imported !== undefined) importInto(store, imported, log);
    return new Running(config, broker, store, log);
  } catch (error) {
    store.close();
    if (fresh) removeDatabase(file);
    throw error;
  }
}

function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

function mosquittoAtPath(file: string): PersistenceError {
  return new PersistenceError(
    'MOSQUITTO_FILE',
    `${file} is a Mosquitto database, not midge's; midge keeps its own SQLite ` +
      'database and will not write over it. Import it with ' +
      `"midge_db_import ${file} <new file>" and name the new file in ` +
      'persistence_file, or name another persistence_file to start empty.',
  );
}

/** First start after Mosquitto: carry its retained messages and sessions over. */
export function importInto(store: Store, db: MosquittoDb, log: Logger): void {
  const c = db.contents;
  store.commit({ ...emptyBatch(), ...c });
  log.write(
    LogType.Notice,
    `Imported Mosquitto database ${db.path} (format version ${db.version}) ` +
      `into ${store.name}: ${c.sessions.length} sessions, ${c.subscriptions.length} ` +
      `subscriptions, ${c.outgoing.length + c.incoming.length} client messages, ` +
      `${c.retained.length} retained messages. The Mosquitto file is left as it was.`,
  );
  for (const line of db.skipped) {
    log.write(LogType.Warning, `Warning: not imported from ${db.path}: ${line}.`);
  }
}

class Running implements Persistence {
  readonly path: string;
  readonly #store: Store;
  readonly #journal: Journal;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #changes = 0;
  #closed = false;

  constructor(config: PersistenceConfig, broker: Broker, store: Store, log: Logger) {
    this.path = store.name;
    this.#store = store;
    this.#log = log;
    const every = config.autosaveInterval;
    const onChanges = config.autosaveOnChanges && every > 0;
    this.#journal = new Journal(broker, store, {
      committed: (rows) => {
        this.#changes += rows;
        if (onChanges && this.#changes >= every) setImmediate(() => this.checkpoint());
      },
      failed: (error) => {
        log.write(
          LogType.Error,
          `Error: unable to save to ${this.path}: ${error.message}; retrying, ` +
            'acknowledgements wait.',
        );
      },
    });
    const n = this.#journal.start(store.load());
    log.write(
      LogType.Information,
      `Restored ${n.sessions} sessions, ${n.subscriptions} subscriptions, ` +
        `${n.messages} client messages and ${n.retained} retained messages ` +
        `from ${this.path}.`,
    );
    if (every > 0 && !config.autosaveOnChanges) {
      this.#timer = setInterval(() => this.checkpoint(), every * 1000);
      this.#timer.unref();
    }
  }

  checkpoint(): void {
    if (this.#closed) return;
    this.#changes = 0;
    this.#log.write(
      LogType.Information,
      `Checkpointing persistence database ${this.path}.`,
    );
    try {
      this.#journal.flush();
      this.#store.checkpoint();
    } catch (error) {
      this.#log.write(
        LogType.Error,
        `Error: checkpoint of ${this.path} failed: ${(error as Error).message}.`,
      );
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#journal.flush();
    const pending = this.#journal.pendingBatches;
    if (pending > 0) {
      this.#log.write(
        LogType.Error,
        `Error: ${pending} batches of changes could not be saved to ${this.path}.`,
      );
    }
    this.#journal.stop();
    try {
      this.#store.close();
    } catch (error) {
      this.#log.write(
        LogType.Error,
        `Error: closing ${this.path} failed: ${(error as Error).message}.`,
      );
    }
  }
}
