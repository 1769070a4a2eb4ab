/**
 * Where midge keeps its database. Mosquitto's `persistence_file` defaults
 * to mosquitto.db, a file in Mosquitto's own format; midge writes SQLite,
 * so it must never take that name over:
 * - the folder is `persistence_location` (default: the working folder);
 * - the file is `persistence_file`, except that the name mosquitto.db
 *   (Mosquitto's default, and so also the default here) becomes midge.db;
 * - a Mosquitto database found where midge's file should be stops
 *   start-up with a message, and one found under the configured name when
 *   midge has no database yet is imported (see ./open.ts).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/index.js';
import { isMosquittoDb } from './mosquitto-db.js';

export const MOSQUITTO_DEFAULT_FILE = 'mosquitto.db';
export const MIDGE_DEFAULT_FILE = 'midge.db';

export interface PersistencePaths {
  /** midge's SQLite database. */
  file: string;
  /** Where Mosquitto with the same configuration keeps its database. */
  mosquittoFile: string;
}

export function persistencePaths(
  config: Pick<Config, 'persistenceFile' | 'persistenceLocation'>,
  cwd: string = process.cwd(),
): PersistencePaths {
  const configured = config.persistenceFile;
  const name = configured === MOSQUITTO_DEFAULT_FILE ? MIDGE_DEFAULT_FILE : configured;
  // Mosquitto joins location and file as strings; join() also avoids the
  // double slash it logs when the location ends in '/'.
  const at = (file: string) => {
    const location = config.persistenceLocation;
    return resolve(cwd, location === null ? file : join(location, file));
  };
  return { file: at(name), mosquittoFile: at(configured) };
}

/** The first bytes of a file; empty if it is missing or not a file. */
export function fileHead(path: string, n = 32): Buffer {
  if (!existsSync(path) || !statSync(path).isFile()) return Buffer.alloc(0);
  const head = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

export function isMosquittoFile(path: string): boolean {
  return isMosquittoDb(fileHead(path));
}

/** True if there is no database there yet (no file, or an empty one). */
export function isFresh(path: string): boolean {
  return !existsSync(path) || (statSync(path).isFile() && statSync(path).size === 0);
}
