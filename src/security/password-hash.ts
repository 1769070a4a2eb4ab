/**
 * Password hashes in Mosquitto's password-file format:
 *
 *   $6$<salt>$<hash>               SHA-512 over password then salt
 *   $7$<iterations>$<salt>$<hash>  PBKDF2-HMAC-SHA512, 64-byte key
 *
 * Salt and hash are standard base64; mosquitto_passwd writes a 12-byte salt
 * and a 64-byte hash, and 101 iterations unless told otherwise. Mosquitto
 * 2.1 also writes 64-byte salts, read here too, and Argon2id hashes in
 * their standard encoding (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`),
 * verified with hash-wasm's WebAssembly Argon2 (Node 20 has none).
 *
 * @example
 * const h = createPasswordHash('s3cret');           // PBKDF2, 101 rounds
 * verifyPasswordHash(h, 's3cret');                  // true
 * formatPasswordHash(h);                            // '$7$101$...$...'
 */
import {
  createHash,
  pbkdf2,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { argon2Verify } from 'hash-wasm';
import { strtokAll } from './text-lines.js';

export type HashKind = 'sha512' | 'sha512-pbkdf2';

export interface Sha512Hash {
  kind: 'sha512';
  salt: Buffer;
  hash: Buffer;
}

export interface Pbkdf2Hash {
  kind: 'sha512-pbkdf2';
  iterations: number;
  salt: Buffer;
  hash: Buffer;
}

/** Mosquitto 2.1's `$argon2id$...`, kept in its encoded form. */
export interface Argon2Hash {
  kind: 'argon2id';
  encoded: string;
}

/** The kinds midge_passwd writes. */
export type SaltedHash = Sha512Hash | Pbkdf2Hash;

export type PasswordHash = SaltedHash | Argon2Hash;

const ARGON2ID =
  /^\$argon2id\$v=19\$m=\d{1,8},t=\d{1,5},p=\d{1,3}\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;

/** What mosquitto_passwd 2.0 uses when no -I is given. */
export const DEFAULT_ITERATIONS = 101;
export const SALT_BYTES = 12;
export const HASH_BYTES = 64;
/** Salt length written by Mosquitto 2.1 (2.0.11 refuses it). */
const LONG_SALT_BYTES = 64;
/** C's INT_MAX: Mosquitto keeps the iteration count in an int. */
const MAX_ITERATIONS = 0x7fffffff;

/** Why a hash string was refused, in Mosquitto's terms. */
export class HashFormatError extends Error {
  override name = 'HashFormatError';
}

/**
 * Reads a hash as Mosquitto does: the text is cut at every '$' and empty
 * pieces are skipped (strtok), so `6$salt$hash` is read as `$6$salt$hash`.
 * Throws HashFormatError with a reason a log line can carry.
 */
export function parsePasswordHash(text: string): PasswordHash {
  if (text.startsWith('$argon2id$')) {
    if (!ARGON2ID.test(text)) throw new HashFormatError('invalid argon2id hash');
    return { kind: 'argon2id', encoded: text };
  }
  const [type, ...rest] = strtokAll(text, '$');
  if (type === undefined) throw new HashFormatError('invalid password hash');
  if (type === '6') return { kind: 'sha512', ...saltAndHash(rest) };
  if (type !== '7') throw new HashFormatError('invalid password hash type');
  const [count, ...tail] = rest;
  if (count === undefined) throw new HashFormatError('invalid password hash');
  const iterations = atoi(count);
  if (iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new HashFormatError('invalid hash iterations');
  }
  return { kind: 'sha512-pbkdf2', iterations, ...saltAndHash(tail) };
}

function saltAndHash(pieces: string[]): { salt: Buffer; hash: Buffer } {
  const [salt64, hash64] = pieces;
  if (salt64 === undefined) throw new HashFormatError('invalid password hash');
  const salt = decodeBase64(salt64);
  if (salt?.length !== SALT_BYTES && salt?.length !== LONG_SALT_BYTES) {
    throw new HashFormatError('unable to decode password salt');
  }
  if (hash64 === undefined) throw new HashFormatError('invalid password hash');
  const hash = decodeBase64(hash64);
  if (hash?.length !== HASH_BYTES) {
    throw new HashFormatError('unable to decode password hash');
  }
  return { salt, hash };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Buffer.from(s, 'base64') skips characters it does not know; a password
// file entry with stray bytes must be refused, not half-read.
function decodeBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** C's atoi: optional blanks and sign, then digits; junk after is ignored. */
export function atoi(text: string): number {
  const match = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(text);
  return match ? Number(match[1]) : 0;
}

/** The hash as a password-file field: `$7$101$salt$hash`. */
export function formatPasswordHash(h: PasswordHash): string {
  if (h.kind === 'argon2id') return h.encoded;
  const salt = h.salt.toString('base64');
  const hash = h.hash.toString('base64');
  if (h.kind === 'sha512') return `$6$${salt}$${hash}`;
  return `$7$${h.iterations}$${salt}$${hash}`;
}

/** Hashes a password with a fresh random 12-byte salt. */
export function createPasswordHash(
  password: string | Buffer,
  kind: HashKind = 'sha512-pbkdf2',
  iterations = DEFAULT_ITERATIONS,
): SaltedHash {
  const salt = randomBytes(SALT_BYTES);
  if (kind === 'sha512') return { kind, salt, hash: sha512(password, salt) };
  const hash = pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
  return { kind, iterations, salt, hash };
}

function sha512(password: string | Buffer, salt: Buffer): Buffer {
  return createHash('sha512').update(password).update(salt).digest();
}

/**
 * True if `password` hashes to `h`. The comparison takes the same time
 * whatever the bytes, so timing tells nothing about the stored hash.
 */
export function verifyPasswordHash(h: PasswordHash, password: string | Buffer): boolean {
  // Argon2 runs only asynchronously here; the broker uses the async path.
  if (h.kind === 'argon2id')
    throw new HashFormatError('argon2id needs verifyPasswordHashAsync');
  const actual =
    h.kind === 'sha512'
      ? sha512(password, h.salt)
      : pbkdf2Sync(password, h.salt, h.iterations, HASH_BYTES, 'sha512');
  return timingSafeEqual(actual, h.hash);
}

/**
 * As {@link verifyPasswordHash}, with PBKDF2 run on libuv's thread pool so
 * that a file written with a large -I does not stall the event loop.
 */
export function verifyPasswordHashAsync(
  h: PasswordHash,
  password: string | Buffer,
): Promise<boolean> {
  if (h.kind === 'sha512') return Promise.resolve(verifyPasswordHash(h, password));
  if (h.kind === 'argon2id') return argon2Verify({ password, hash: h.encoded });
  return new Promise((resolve, reject) => {
    pbkdf2(password, h.salt, h.iterations, HASH_BYTES, 'sha512', (error, actual) => {
      if (error) reject(error);
      else resolve(timingSafeEqual(actual, h.hash));
    });
  });
}
