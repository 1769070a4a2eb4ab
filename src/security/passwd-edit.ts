/**
 * The edits midge_passwd makes to a password file, as pure functions on
 * its bytes. The file is handled as latin1 text so that every byte of the
 * lines it does not touch is written back unchanged, whatever encoding
 * they hold; usernames are compared as UTF-8 bytes, as Mosquitto compares
 * them.
 *
 * Lines are kept where mosquitto_passwd 2.0.11 would lose them: comment
 * and blank lines stay (mosquitto_passwd calls them corrupt and, when
 * adding a user, drops them and every line after), and a missing final
 * newline is added before a new entry instead of gluing the entry to the
 * last line. Any other line without a username and a hash stops the edit
 * with its line number and the file is left as it was.
 */
import { strtokAll, trimBlanks } from './text-lines.js';

/** Turns password bytes into the hash field, e.g. `$7$101$...`. */
export type HashMaker = (password: Buffer) => string;

export type PasswdEdit =
  | { op: 'set'; username: string; password: Buffer }
  | { op: 'delete'; username: string }
  | { op: 'upgrade' };

export class PasswdEditError extends Error {
  override name = 'PasswdEditError';
  constructor(
    message: string,
    readonly kind: 'corrupt' | 'not-found',
  ) {
    super(message);
  }
}

interface Line {
  raw: string;
  /** Username and hash field (latin1), absent for comments and blanks. */
  entry?: { username: string; hash: string };
}

/** Applies one edit; throws PasswdEditError (the input is not changed). */
export function editPasswordFile(
  data: Buffer,
  edit: PasswdEdit,
  makeHash: HashMaker,
): Buffer {
  const lines = readLines(data.toString('latin1'));
  const out =
    edit.op === 'upgrade' ? upgrade(lines, makeHash) : change(lines, edit, makeHash);
  return Buffer.from(out.map((line) => `${line}\n`).join(''), 'latin1');
}

function readLines(text: string): Line[] {
  const raws = text.split('\n');
  if (raws.at(-1) === '') raws.pop();
  return raws.map((raw, i) => {
    if (raw.startsWith('#') || trimBlanks(raw) === '') return { raw };
    const [user, hash] = strtokAll(raw, ':').map(trimBlanks);
    if (!user || !hash) {
      throw new PasswdEditError(`Corrupt password file at line ${i + 1}.`, 'corrupt');
    }
    return { raw, entry: { username: user, hash } };
  });
}

function change(
  lines: Line[],
  edit: Extract<PasswdEdit, { username: string }>,
  makeHash: HashMaker,
): string[] {
  const name = Buffer.from(edit.username, 'utf8').toString('latin1');
  const out: string[] = [];
  let found = false;
  for (const line of lines) {
    if (line.entry?.username !== name) {
      out.push(line.raw);
      continue;
    }
    found = true;
    // Every entry of the user is replaced, each with its own salt.
    if (edit.op === 'set') out.push(`${name}:${makeHash(edit.password)}`);
  }
  if (found) return out;
  if (edit.op === 'delete') {
    throw new PasswdEditError(
      `User ${edit.username} not found in password file.`,
      'not-found',
    );
  }
  out.push(`${name}:${makeHash(edit.password)}`);
  return out;
}

/** Hashes every plain-text password; hashed entries are left alone. */
function upgrade(lines: Line[], makeHash: HashMaker): string[] {
  return lines.map(({ raw, entry }) => {
    if (entry === undefined || isHashed(entry.hash)) return raw;
    return `${entry.username}:${makeHash(Buffer.from(entry.hash, 'latin1'))}`;
  });
}

/**
 * mosquitto_passwd -U hashes whatever it finds, so running it twice turns
 * every hash into the password; midge_passwd skips what is already hashed.
 */
function isHashed(field: string): boolean {
  return /^\$(6|7)\$/.test(field) || field.startsWith('$argon2id$');
}
