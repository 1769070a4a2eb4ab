/**
 * Reads the line-based security files (password, ACL, PSK) the way
 * Mosquitto does with fgets: '\n' ends a line and no line is too long.
 * It works on bytes so that invalid UTF-8 and NUL characters are found and
 * reported with their line number; a lossy decode could turn a broken user
 * name into one that matches somebody else.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors.js';

export interface TextLine {
  /** 1-based line number. */
  line: number;
  /** The line without its '\n'; a trailing '\r' is left for the caller. */
  text: string;
  /** Why the line could not be read as text; `text` is '' then. */
  problem?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Splits file contents into lines; a string is taken as already decoded. */
export function splitLines(data: string | Uint8Array): TextLine[] {
  if (typeof data === 'string') {
    const parts = data.split('\n');
    if (parts.at(-1) === '') parts.pop();
    return parts.map((text, i) => checkNul({ line: i + 1, text }));
  }
  const out: TextLine[] = [];
  let start = 0;
  let line = 1;
  while (start < data.length) {
    let end = data.indexOf(0x0a, start);
    if (end < 0) end = data.length;
    out.push(decodeLine(data.subarray(start, end), line));
    start = end + 1;
    line++;
  }
  return out;
}

function decodeLine(bytes: Uint8Array, line: number): TextLine {
  try {
    return checkNul({ line, text: decoder.decode(bytes) });
  } catch {
    return { line, text: '', problem: 'invalid UTF-8' };
  }
}

// Mosquitto reads lines as C strings, so a NUL silently cuts a line short;
// midge reports the line instead of guessing which half was meant.
function checkNul(line: TextLine): TextLine {
  if (!line.text.includes('\0')) return line;
  return { line: line.line, text: '', problem: 'NUL character' };
}

/** Characters C's isspace() accepts, which Mosquitto trims. */
function isBlank(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Removes leading and trailing blanks as Mosquitto's trimblanks does. */
export function trimBlanks(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isBlank(s.charCodeAt(start))) start++;
  while (end > start && isBlank(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Removes trailing blanks only (Mosquitto's ACL reader trims the end). */
export function trimEndBlanks(s: string): string {
  let end = s.length;
  while (end > 0 && isBlank(s.charCodeAt(end - 1))) end--;
  return s.slice(0, end);
}

/**
 * The non-empty pieces of `s` between `separator` characters, as C's
 * strtok returns them: runs of separators count as one and leading or
 * trailing separators give no empty piece.
 */
export function strtokAll(s: string, separator: string): string[] {
  return s.split(separator).filter((piece) => piece !== '');
}

/** Reads a file, turning an I/O failure into a ConfigError for the file. */
export async function readSecurityFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(path, 0, `cannot open ${what}: ${code}`);
  }
}
