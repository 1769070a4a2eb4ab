/**
 * The password file (`password_file`): one `username:hash` per line, as
 * mosquitto_passwd writes it. It is read the way Mosquitto 2.0 reads it, so
 * a file that works there works here:
 *
 * - a line starting with '#' and a line without ':' are skipped;
 * - username and hash are the first two non-empty ':'-separated pieces,
 *   blanks around them trimmed (so CRLF files work);
 * - an entry whose hash cannot be read is dropped with a warning, and the
 *   broker runs on without that user, as Mosquitto does;
 * - when a username appears twice the last entry counts.
 *
 * Warnings carry file and line; the caller logs them. Passwords themselves
 * are never kept, logged or put in an error.
 *
 * @example
 * const { passwords, warnings } = await PasswordFile.load('/etc/midge/passwd');
 * for (const w of warnings) log.warning(w.message);
 * await passwords.verifyAsync('alice', Buffer.from('s3cret')); // true or false
 */
import { ConfigError } from '../config/errors.js';
import {
  createPasswordHash,
  HashFormatError,
  type PasswordHash,
  parsePasswordHash,
  verifyPasswordHash,
  verifyPasswordHashAsync,
} from './password-hash.js';
import { readSecurityFile, splitLines, strtokAll, trimBlanks } from './text-lines.js';

/** Longest username or hash Mosquitto keeps (it skips longer ones). */
const MAX_FIELD = 65535;

/**
 * Checked instead of a real entry when the username is unknown, so that a
 * wrong name costs as much time as a wrong password and the response time
 * does not tell which names exist.
 */
const decoy = createPasswordHash('midge-decoy-password');

export interface PasswordFileResult {
  passwords: PasswordFile;
  /** Entries skipped, and repeated users; Mosquitto logs these too. */
  warnings: ConfigError[];
}

export class PasswordFile {
  readonly #users: ReadonlyMap<string, PasswordHash>;

  private constructor(users: ReadonlyMap<string, PasswordHash>) {
    this.#users = users;
  }

  /** Parses file contents; `file` names the file in warnings. */
  static parse(data: string | Uint8Array, file: string): PasswordFileResult {
    const users = new Map<string, PasswordHash>();
    const warnings: ConfigError[] = [];
    for (const line of splitLines(data)) {
      const warn = (reason: string) =>
        warnings.push(new ConfigError(file, line.line, reason));
      if (line.problem !== undefined) {
        warn(`${line.problem}, line skipped`);
        continue;
      }
      const entry = parseEntry(line.text);
      if (entry === undefined) continue;
      if (typeof entry === 'string') {
        warn(entry);
        continue;
      }
      if (users.has(entry.username)) {
        warn(`user "${entry.username}" appears again; this later entry counts`);
      }
      users.set(entry.username, entry.hash);
    }
    return { passwords: new PasswordFile(users), warnings };
  }

  /** Reads and parses a file; a file that cannot be read is an error. */
  static async load(path: string): Promise<PasswordFileResult> {
    return PasswordFile.parse(await readSecurityFile(path, 'password file'), path);
  }

  /** Number of users with a usable hash. */
  get size(): number {
    return this.#users.size;
  }

  has(username: string): boolean {
    return this.#users.has(username);
  }

  /** Usernames in file order, for tools and tests. */
  usernames(): string[] {
    return [...this.#users.keys()];
  }

  /**
   * True if the user exists and the password matches. No password, or an
   * unknown user, is false. All of the password's bytes count; Mosquitto
   * stops at the first NUL byte, which only a hand-made client can send.
   */
  verify(username: string, password: string | Buffer | undefined): boolean {
    const hash = this.#users.get(username);
    if (password === undefined) return false;
    if (hash === undefined) {
      verifyPasswordHash(decoy, password);
      return false;
    }
    return verifyPasswordHash(hash, password);
  }

  /** As {@link verify}, hashing off the event loop. */
  async verifyAsync(
    username: string,
    password: string | Buffer | undefined,
  ): Promise<boolean> {
    const hash = this.#users.get(username);
    if (password === undefined) return false;
    if (hash === undefined) {
      await verifyPasswordHashAsync(decoy, password);
      return false;
    }
    return verifyPasswordHashAsync(hash, password);
  }
}

interface Entry {
  username: string;
  hash: PasswordHash;
}

/** An entry, undefined for a line to skip quietly, or a warning. */
function parseEntry(text: string): Entry | string | undefined {
  if (text.startsWith('#') || !text.includes(':')) return undefined;
  const [rawUser, rawHash] = strtokAll(text, ':');
  if (rawUser === undefined) return undefined;
  const username = trimBlanks(rawUser);
  if (Buffer.byteLength(username) > MAX_FIELD) return 'username too long, line skipped';
  const hashText = trimBlanks(rawHash ?? '');
  if (Buffer.byteLength(hashText) > MAX_FIELD)
    return 'password hash too long, line skipped';
  try {
    return { username, hash: parsePasswordHash(hashText) };
  } catch (error) {
    if (!(error instanceof HashFormatError)) throw error;
    return `${error.message} for user "${username}", entry removed`;
  }
}
