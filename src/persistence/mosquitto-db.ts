/**
 * Reads a Mosquitto mosquitto.db (format versions 2 to 6) into midge's
 * rows, so a user moving from Mosquitto keeps retained messages and
 * persistent sessions: subscriptions, queued and in-flight messages in
 * both directions. What the file does not hold (shared subscriptions,
 * retain handling, wills) cannot carry over.
 *
 * @example
 * const db = readMosquittoDb('/var/lib/mosquitto/mosquitto.db');
 * store.commit({ ...emptyBatch(), ...db.contents });
 */
import { readFileSync } from 'node:fs';
import { PersistenceError } from './errors.js';
import {
  badFile,
  CHUNK_CFG,
  CHUNK_CLIENT,
  CHUNK_CLIENT_MSG,
  CHUNK_MSG_STORE,
  CHUNK_RETAIN,
  CHUNK_SUB,
  ChunkReader,
  type ClientChunk,
  type ClientMsgChunk,
  clientMsgV56,
  clientMsgV234,
  clientV56,
  clientV234,
  type MsgStoreChunk,
  msgStoreV56,
  msgStoreV234,
  type SubChunk,
  subV56,
  subV234,
} from './mosquitto-chunks.js';
import { mosquittoContents } from './mosquitto-convert.js';
import type { StoreContents } from './store.js';

/** The first 15 bytes of every mosquitto.db. */
export const MOSQUITTO_MAGIC = Buffer.from([
  0x00, 0xb5, 0x00, 0x6d, 0x6f, 0x73, 0x71, 0x75, 0x69, 0x74, 0x74, 0x6f, 0x20, 0x64,
  0x62,
]);

const HEADER_SIZE = 15 + 4 + 4;

/** Everything a mosquitto.db holds, chunk by chunk. */
export interface MosquittoChunks {
  version: number;
  messages: Map<number, MsgStoreChunk>;
  clients: Map<string, ClientChunk>;
  clientMsgs: ClientMsgChunk[];
  subs: SubChunk[];
  retained: number[];
  /** Chunk types this reader does not know, skipped. */
  unknown: number;
}

export interface MosquittoDb {
  path: string;
  version: number;
  contents: StoreContents;
  /** Rows dropped on the way, in words, for the log. */
  skipped: string[];
}

/** True if the file starts like a mosquitto.db; false if absent or not. */
export function isMosquittoDb(head: Buffer): boolean {
  return head.length >= 15 && head.subarray(0, 15).equals(MOSQUITTO_MAGIC);
}

export function readMosquittoDb(path: string, now: number = Date.now()): MosquittoDb {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (error) {
    throw new PersistenceError(
      'CANNOT_OPEN',
      `Unable to read Mosquitto database ${path}: ${(error as Error).message}.`,
    );
  }
  try {
    const chunks = parseMosquittoDb(buf);
    const { contents, skipped } = mosquittoContents(chunks, now);
    return { path, version: chunks.version, contents, skipped };
  } catch (error) {
    if (!(error instanceof PersistenceError)) throw error;
    throw new PersistenceError(
      'BAD_MOSQUITTO_FILE',
      `${path} cannot be imported: ${error.message}.`,
    );
  }
}

export function parseMosquittoDb(buf: Buffer): MosquittoChunks {
  if (!isMosquittoDb(buf)) throw badFile('not a Mosquitto database');
  if (buf.length < HEADER_SIZE) throw badFile('the header is cut short');
  const version = buf.readUInt32BE(19);
  if (version < 2 || version > 6) {
    throw badFile(`format version ${version} is not one Mosquitto 2.0 reads (2 to 6)`);
  }
  const out: MosquittoChunks = {
    version,
    messages: new Map(),
    clients: new Map(),
    clientMsgs: [],
    subs: [],
    retained: [],
    unknown: 0,
  };
  const headerLen = version >= 5 ? 8 : 6;
  let pos = HEADER_SIZE;
  while (pos < buf.length) {
    if (pos + headerLen > buf.length) throw badFile('the last chunk is cut short');
    const type = version >= 5 ? buf.readUInt32BE(pos) : buf.readUInt16BE(pos);
    const length = buf.readUInt32BE(pos + headerLen - 4);
    const start = pos + headerLen;
    const end = start + length;
    if (end > buf.length) throw badFile('the last chunk is cut short');
    readChunk(out, type, new ChunkReader(buf, start, end));
    pos = end;
  }
  return out;
}

function readChunk(out: MosquittoChunks, type: number, r: ChunkReader): void {
  const v = out.version;
  const modern = v >= 5;
  switch (type) {
    case CHUNK_CFG:
      return;
    case CHUNK_MSG_STORE: {
      const m = modern ? msgStoreV56(r) : msgStoreV234(r, v);
      out.messages.set(m.storeId, m);
      return;
    }
    case CHUNK_CLIENT_MSG:
      out.clientMsgs.push(modern ? clientMsgV56(r) : clientMsgV234(r));
      return;
    case CHUNK_RETAIN:
      out.retained.push(r.u64());
      return;
    case CHUNK_SUB:
      out.subs.push(modern ? subV56(r) : subV234(r));
      return;
    case CHUNK_CLIENT: {
      const c = modern ? clientV56(r, v) : clientV234(r, v);
      if (c.clientId !== '') out.clients.set(c.clientId, c);
      return;
    }
    default:
      // Mosquitto skips chunks it does not know, and so does midge.
      out.unknown++;
  }
}
