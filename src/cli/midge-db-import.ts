#!/usr/bin/env node
/**
 * midge_db_import: makes a midge database from a Mosquitto mosquitto.db
 * (format versions 2 to 6), for a move from Mosquitto. midge also does
 * this by itself on its first start when it finds Mosquitto's file where
 * Mosquitto would keep it; the tool is for other layouts, or to check an
 * import before switching. It only ever creates a new database.
 *
 *   midge_db_import /var/lib/mosquitto/mosquitto.db /var/lib/midge/midge.db
 *   midge_db_import -c /etc/midge/midge.conf /var/lib/mosquitto/mosquitto.db
 */
import { existsSync, rmSync } from 'node:fs';
import { ConfigError, loadConfig } from '../config/index.js';
import { type Logger, LogType } from '../log/log-types.js';
import {
  importInto,
  isMosquittoFile,
  PersistenceError,
  persistencePaths,
  readMosquittoDb,
  SqliteStore,
} from '../persistence/index.js';
import { isFresh } from '../persistence/location.js';

const USAGE = `Usage: midge_db_import [-c config_file] mosquitto.db [midge_database]

Imports a Mosquitto persistence file (format 2 to 6) into a new midge
database: retained messages, persistent sessions, their subscriptions and
their queued and in-flight messages. The Mosquitto file is only read.

 -c : take the database path from a midge configuration file
      (persistence_location and persistence_file, as midge would use them).
 midge_database : the new file; default midge.db in the current folder.
`;

interface Args {
  config: string | undefined;
  source: string;
  target: string | undefined;
}

function parse(argv: string[]): Args | string {
  let config: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-c') {
      config = argv[++i];
      if (config === undefined) return 'Error: -c needs a file.';
    } else if (a === '-h' || a === '--help') {
      return '';
    } else if (a.startsWith('-')) {
      return `Error: unknown option ${a}.`;
    } else {
      rest.push(a);
    }
  }
  if (rest.length < 1 || rest.length > 2) return 'Error: give a mosquitto.db to import.';
  return { config, source: rest[0] as string, target: rest[1] };
}

function targetOf(args: Args): string {
  if (args.target !== undefined) return args.target;
  if (args.config === undefined) return 'midge.db';
  return persistencePaths(loadConfig(args.config)).file;
}

const console: Logger = {
  mask: LogType.All,
  write: (type, line) => {
    (type & (LogType.Error | LogType.Warning) ? process.stderr : process.stdout).write(
      `${line}\n`,
    );
  },
};

function run(argv: string[]): number {
  const args = parse(argv);
  if (typeof args === 'string') {
    if (args !== '') process.stderr.write(`${args}\n`);
    (args === '' ? process.stdout : process.stderr).write(USAGE);
    return args === '' ? 0 : 1;
  }
  try {
    const target = targetOf(args);
    if (!existsSync(args.source)) {
      throw new PersistenceError('BAD_MOSQUITTO_FILE', `${args.source} does not exist.`);
    }
    if (!isMosquittoFile(args.source)) {
      throw new PersistenceError(
        'BAD_MOSQUITTO_FILE',
        `${args.source} is not a Mosquitto database.`,
      );
    }
    if (!isFresh(target)) {
      throw new PersistenceError(
        'NOT_MIDGE',
        `${target} already exists; midge_db_import only creates new databases.`,
      );
    }
    const db = readMosquittoDb(args.source);
    const store = new SqliteStore(target, 'full');
    try {
      importInto(store, db, console);
    } catch (error) {
      store.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
      throw error;
    }
    store.close();
    return 0;
  } catch (error) {
    if (!(error instanceof PersistenceError || error instanceof ConfigError)) throw error;
    process.stderr.write(`Error: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = run(process.argv.slice(2));
