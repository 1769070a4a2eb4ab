/**
 * The pre-shared key file (`psk_file`) for TLS-PSK listeners: one
 * `identity:hexkey` per line, read as Mosquitto reads it (lines starting
 * with '#' or without ':' skipped, blanks around both fields trimmed, the
 * first entry for an identity counts). A key that is empty or not
 * hexadecimal stops start-up, with file and line.
 *
 * Keys become bytes the way Mosquitto and its clients (mosquitto_pub
 * --psk) turn hex into bytes: an odd digit count gets a leading zero
 * nibble, and of the leading '0' digits only whole pairs become zero
 * bytes. So "0ff" is the one byte ff, and "000001" is 00 00 01.
 *
 * @example
 * const psk = PskFile.parse('sensor-1:00ff10\n', 'psk');
 * psk.key('sensor-1'); // <Buffer 00 ff 10>
 */
import { ConfigError } from '../config/errors.js';
import { readSecurityFile, splitLines, strtokAll, trimBlanks } from './text-lines.js';

const HEX = /^[0-9a-fA-F]+$/;

export class PskFile {
  readonly #keys: ReadonlyMap<string, Buffer>;

  private constructor(keys: ReadonlyMap<string, Buffer>) {
    this.#keys = keys;
  }

  /** Parses file contents; throws ConfigError for a bad key. */
  static parse(data: string | Uint8Array, file: string): PskFile {
    const keys = new Map<string, Buffer>();
    for (const { line, text, problem } of splitLines(data)) {
      if (problem !== undefined) throw new ConfigError(file, line, problem);
      if (text.startsWith('#') || !text.includes(':')) continue;
      const [rawIdentity, rawKey] = strtokAll(text, ':');
      if (rawIdentity === undefined) continue;
      const identity = trimBlanks(rawIdentity);
      const key = parseKey(trimBlanks(rawKey ?? ''));
      if (typeof key === 'string') {
        throw new ConfigError(file, line, `${key} for identity "${identity}"`);
      }
      if (!keys.has(identity)) keys.set(identity, key);
    }
    return new PskFile(keys);
  }

  static async load(path: string): Promise<PskFile> {
    return PskFile.parse(await readSecurityFile(path, 'PSK file'), path);
  }

  get size(): number {
    return this.#keys.size;
  }

  /** The key for an identity, or undefined: the handshake must then fail. */
  key(identity: string): Buffer | undefined {
    return this.#keys.get(identity);
  }
}

/** The key's bytes, or why it is refused. */
function parseKey(hex: string): Buffer | string {
  if (hex === '') return 'empty key';
  if (!HEX.test(hex)) return 'key holds non-hexadecimal characters';
  const bytes = pskBytes(hex);
  if (bytes.length === 0) return 'key is zero bytes long';
  return bytes;
}

/** Hex to bytes as Mosquitto does it (see the file comment). */
export function pskBytes(hex: string): Buffer {
  let zeros = 0;
  while (zeros < hex.length && hex[zeros] === '0') zeros++;
  const digits = hex.slice(zeros);
  const even = digits.length % 2 === 1 ? `0${digits}` : digits;
  return Buffer.concat([Buffer.alloc(zeros >> 1), Buffer.from(even, 'hex')]);
}
