/**
 * The per-user options file: default options for a tool, one option per
 * line, read before the command line. midge looks for
 * `$XDG_CONFIG_HOME/midge_pub` (midge_sub, midge_rr), else
 * `$HOME/.config/midge_pub`, where Mosquitto looks for mosquitto_pub;
 * `-o FILE` (Mosquitto 2.1) names another file.
 *
 * A line is an option and at most one value: the line is cut at its first
 * space and the rest, spaces and all, is the value. Lines starting with
 * '#' are comments. As Mosquitto reads lines in 1023-byte pieces, a longer
 * line reads as several; midge does the same so a file means the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ToolKind } from './config.js';
import { fail } from './errors.js';

const pieceSize = 1023;

/** The -o file if given, else the default path; undefined if there is none. */
export function optionsFilePath(
  tool: ToolKind,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): string | undefined {
  let given: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '-o') continue;
    if (given !== undefined) fail('Error: Duplicate -o argument given.\n\n');
    if (i === argv.length - 1) {
      fail('Error: -o argument given but no options file specified.\n\n');
    }
    given = argv[i + 1];
  }
  if (given !== undefined) return given;
  const name = `midge_${tool}`;
  if (env.XDG_CONFIG_HOME !== undefined) return join(env.XDG_CONFIG_HOME, name);
  if (env.HOME !== undefined) return join(env.HOME, '.config', name);
  return undefined;
}

/** Cuts the bytes into the pieces fgets(line, 1024, file) would return. */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    const newline = data.indexOf(0x0a, start);
    const lineEnd = newline < 0 ? data.length : newline + 1;
    const end = Math.min(lineEnd, start + pieceSize);
    out.push(data.subarray(start, end));
    start = end;
  }
  return out;
}

/** One piece as an argument list: [option] or [option, value]. */
function lineArgs(piece: Buffer): string[] | undefined {
  let line = piece.toString('utf8');
  if (line.startsWith('#')) return undefined;
  line = line.replace(/[\r\n]+$/, '');
  const first = line.search(/[^ ]/);
  if (first < 0) return undefined;
  const space = line.indexOf(' ', first);
  if (space < 0) return [line.slice(first)];
  const value = line.slice(space + 1);
  return value === '' ? [line.slice(first, space)] : [line.slice(first, space), value];
}

/** The argument lists of the file; none if it cannot be read (not an error). */
export function readOptionsFile(path: string): string[][] {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    return [];
  }
  return pieces(data)
    .map(lineArgs)
    .filter((args): args is string[] => args !== undefined);
}
