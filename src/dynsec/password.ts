/**
 * Dynamic-security passwords: PBKDF2-HMAC-SHA512 with a 12-byte random
 * salt and a 64-byte key, as mosquitto_passwd's `$7$` hashes, but stored
 * as three JSON fields (`password`, `salt`, `iterations`) in base64.
 * New passwords get 101 iterations, Mosquitto's default.
 *
 * Mosquitto hands passwords around as C strings, so a password is only
 * the bytes before its first NUL: "a\0b" logs in as "a" does.
 */
import {
  createPasswordHash,
  DEFAULT_ITERATIONS,
  verifyPasswordHashAsync,
} from '../security/index.js';
import type { StoredPassword } from './model.js';

export const SALT_BYTES = 12;
export const HASH_BYTES = 64;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Base64 without stray characters; undefined if the text is not that. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

function cString(bytes: Buffer): Buffer {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** A fresh hash of `password` with a new salt. */
export function hashPassword(
  password: string | Buffer,
  iterations = DEFAULT_ITERATIONS,
): StoredPassword {
  const bytes = cString(Buffer.isBuffer(password) ? password : Buffer.from(password));
  const h = createPasswordHash(bytes, 'sha512-pbkdf2', iterations);
  if (h.kind !== 'sha512-pbkdf2') throw new Error('unexpected hash kind');
  return { hash: h.hash, salt: h.salt, iterations: h.iterations };
}

/**
 * True if `password` matches. PBKDF2 runs on libuv's pool, so a file with
 * a huge iteration count cannot stall the broker; the comparison is
 * constant-time.
 */
export function checkPassword(
  stored: StoredPassword,
  password: Buffer,
): Promise<boolean> {
  return verifyPasswordHashAsync({ kind: 'sha512-pbkdf2', ...stored }, cString(password));
}
