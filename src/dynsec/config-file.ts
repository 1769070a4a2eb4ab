/**
 * The config file on disk. Reading tolerates what Mosquitto tolerates (a
 * missing or unreadable file leaves an empty configuration, an empty file
 * is an empty configuration). Writing is atomic: the new content goes to
 * `<file>.new`, is flushed to disk, and is renamed over the file, so a
 * crash leaves either the old file or the new one, never half of one.
 * The file keeps its permissions across saves; a new one gets the
 * process's umask, as Mosquitto's does.
 */
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { stateFromJson } from './config-load.js';
import { parseJson } from './json.js';
import { printFormatted } from './json-print.js';
import { DynsecState } from './state.js';
import { configJson } from './views.js';

export type LogLevel = 'error' | 'warning' | 'info';
export type Logger = (level: LogLevel, line: string) => void;

const loadError = 'Error loading Dynamic security plugin config';

/** The state in `path`; problems are logged and give an empty state. */
export function readConfigFile(path: string, log: Logger): DynsecState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    log('error', `${loadError}: File is not readable - check permissions.`);
    return new DynsecState();
  }
  if (text.length === 0) return new DynsecState();
  const tree = parseJson(text);
  if (tree === undefined) {
    log('error', `${loadError}: File is not valid JSON.`);
    return new DynsecState();
  }
  return stateFromJson(tree);
}

/** The file's text for `state`, laid out as Mosquitto lays it out. */
export function configText(state: DynsecState): string {
  return printFormatted(configJson(state));
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** Writes `text` to `path` atomically (see the module comment). */
export function writeFileAtomically(path: string, text: string, mode?: number): void {
  const temp = `${path}.new`;
  const keep = mode ?? modeOf(path);
  const fd = openSync(temp, 'w', keep ?? 0o666);
  try {
    // Set after opening: the creation mode is cut by the umask.
    if (keep !== undefined) fchmodSync(fd, keep);
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/** Saves `state` to `path`; a failure is logged and the state kept. */
export function saveConfigFile(path: string, state: DynsecState, log: Logger): boolean {
  try {
    writeFileAtomically(path, configText(state));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOENT'
        ? 'File is not writable - check permissions.'
        : (error as Error).message;
    log('error', `Error saving Dynamic security plugin config: ${reason}`);
    return false;
  }
}
