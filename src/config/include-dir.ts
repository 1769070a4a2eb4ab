/**
 * The files an `include_dir` line reads: every `*.conf` in the folder
 * (hidden ones too; the suffix is case-sensitive), in Mosquitto's order.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Mosquitto's order: letters compare without case first, and at the first
 * position where two names differ only in case, the upper-case one comes
 * first. So `A.conf < a-b.conf < a.conf < B.conf < b.conf < Z.conf <
 * _x.conf` (the underscore sorts after the upper-case letters).
 */
export function compareIncludeNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    const folded = upper(ca) - upper(cb);
    if (folded !== 0) return folded;
    if (ca !== cb) return ca - cb;
  }
  return a.length - b.length;
}

function upper(code: number): number {
  return code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
}

/** Full paths of the files to read, sorted; throws if the folder cannot be read. */
export function includeFiles(dir: string): string[] {
  const names = readdirSync(dir).filter(
    (name) => name.length > 5 && name.endsWith('.conf'),
  );
  return names
    .map((name) => join(dir, name))
    .filter((path) => {
      try {
        return statSync(path).isFile();
      } catch {
        return false;
      }
    })
    .sort(compareIncludeNames);
}
