/**
 * Where midge_pub's and midge_rr's messages come from: a file (-f), all of
 * stdin (-s) or stdin line by line (-l).
 *
 * Memory: -f reads the file into one buffer of exactly its size, and -s
 * does the same when stdin is a regular file; from a pipe, -s holds the
 * chunks read and joins them once at the end (twice the size at worst, for
 * that moment). -l holds one line at a time, plus what the client still
 * has to send. Nothing is read past the MQTT payload limit.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { maxPayload } from './config.js';

/** A failure with the lines Mosquitto prints for it. */
export class InputError extends Error {
  constructor(readonly text: string) {
    super(text.trim());
    this.name = 'InputError';
  }
}

function readWhole(fd: number, size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, pos, size - pos, null);
    if (n === 0) return buf.subarray(0, pos);
    pos += n;
  }
  return buf;
}

function tooLarge(kind: 'File' | 'Message'): InputError {
  const what = kind === 'File' ? 'File must' : 'Message length must';
  return new InputError(`Error: ${what} be less than ${maxPayload} bytes.\n\n`);
}

/**
 * The file as one message (-f). Its size is taken first, as Mosquitto
 * does, so a device or pipe that reports size 0 gives an empty message.
 */
export function readFileMessage(path: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new InputError(`Error: Unable to open file "${path}".\n`);
  }
  try {
    const stat = fstatSync(fd);
    // A folder opens, then cannot be measured: Mosquitto calls it too large.
    if (stat.isDirectory() || stat.size > maxPayload) throw tooLarge('File');
    return stat.size === 0 ? Buffer.alloc(0) : readWhole(fd, stat.size);
  } finally {
    closeSync(fd);
  }
}

function stdinFileSize(): number | undefined {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? stat.size : undefined;
  } catch {
    return undefined;
  }
}

/** All of stdin as one message (-s). */
export async function readStdinMessage(stdin: Readable = process.stdin): Promise<Buffer> {
  const size = stdin === process.stdin ? stdinFileSize() : undefined;
  let data: Buffer;
  if (size !== undefined) {
    if (size > maxPayload) throw tooLarge('Message');
    data = readWhole(0, size);
  } else {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stdin) {
      total += (chunk as Buffer).length;
      if (total > maxPayload) throw tooLarge('Message');
      chunks.push(chunk as Buffer);
    }
    data = Buffer.concat(chunks, total);
  }
  if (data.length === 0) throw new InputError('Error: Zero length input.\n');
  return data;
}

/**
 * Stdin as lines (-l): each line without its '\n' ('\r' is kept, as
 * Mosquitto keeps it); a last line without '\n' counts too. Reading
 * pauses while the consumer awaits, which is the back-pressure.
 * `ending.unterminated` turns true as that last line is given.
 */
export async function* stdinLines(
  stdin: Readable = process.stdin,
  ending: { unterminated: boolean } = { unterminated: false },
): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  for await (const data of stdin) {
    const chunk = data as Buffer;
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline >= 0) {
      const piece = chunk.subarray(start, newline);
      yield pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length === 0) return;
  // Set before the yield: the reader learns it while handling that line.
  ending.unterminated = true;
  yield Buffer.concat(pending);
}
