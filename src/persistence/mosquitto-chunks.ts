/**
 * The chunks of Mosquitto's mosquitto.db, as its format versions 2 to 6
 * lay them out (learnt from Mosquitto's persist_read*.c; facts only).
 *
 * Versions 5 and 6 (Mosquitto 1.6 and 2.x) write each chunk as a fixed C
 * struct, padding included, then its strings: 16- and 32-bit fields in
 * network order, 64-bit ids and times in the writer's own byte order.
 * Versions 2 to 4 (Mosquitto 1.x) write fields one by one, strings with a
 * 16-bit length before them, 64-bit ids little-endian.
 *
 * LIMIT(portability): 64-bit fields of version 5 and 6 files are read as
 * little-endian, the order of x86 and ARM; a file written on a big-endian
 * machine is misread.
 */
import { PersistenceError } from './errors.js';

export const CHUNK_CFG = 1;
export const CHUNK_MSG_STORE = 2;
export const CHUNK_CLIENT_MSG = 3;
export const CHUNK_RETAIN = 4;
export const CHUNK_SUB = 5;
export const CHUNK_CLIENT = 6;

export interface MsgStoreChunk {
  storeId: number;
  /** Epoch seconds; 0 = never. */
  expiryTime: number;
  sourceId: string;
  topic: string;
  qos: number;
  retain: boolean;
  payload: Buffer;
  /** MQTT 5 property block, when present. */
  properties: Buffer | undefined;
}

export interface ClientChunk {
  clientId: string;
  /** Epoch seconds; 0 = not set. */
  expiryTime: number;
  /** Seconds; undefined in files older than version 5. */
  expiryInterval: number | undefined;
  lastMid: number;
  username: string | undefined;
}

export interface ClientMsgChunk {
  clientId: string;
  storeId: number;
  mid: number;
  qos: number;
  state: number;
  retain: boolean;
  dup: boolean;
  /** 0 = to the broker, 1 = to the client. */
  direction: number;
  properties: Buffer | undefined;
}

export interface SubChunk {
  clientId: string;
  topic: string;
  qos: number;
  /** no_local << 2 | retain_as_published << 3. */
  options: number;
  identifier: number;
}

/** A cursor over one chunk's bytes; reading past its end is an error. */
export class ChunkReader {
  readonly #buf: Buffer;
  #pos: number;
  readonly #end: number;

  constructor(buf: Buffer, pos: number, end: number) {
    this.#buf = buf;
    this.#pos = pos;
    this.#end = end;
  }

  get left(): number {
    return this.#end - this.#pos;
  }

  #take(n: number): number {
    const p = this.#pos;
    if (p + n > this.#end) throw badFile('a chunk is shorter than its fields');
    this.#pos = p + n;
    return p;
  }

  u8(): number {
    return this.#buf[this.#take(1)] as number;
  }

  u16(): number {
    return this.#buf.readUInt16BE(this.#take(2));
  }

  u32(): number {
    return this.#buf.readUInt32BE(this.#take(4));
  }

  /** A 64-bit id or time, little-endian. */
  u64(): number {
    return Number(this.#buf.readBigInt64LE(this.#take(8)));
  }

  skip(n: number): void {
    this.#take(n);
  }

  bytes(n: number): Buffer {
    const p = this.#take(n);
    return Buffer.from(this.#buf.subarray(p, p + n));
  }

  text(n: number): string {
    const p = this.#take(n);
    return this.#buf.toString('utf8', p, p + n);
  }

  /** Version 2-4 string: 16-bit length, then the bytes. */
  string(): string {
    return this.text(this.u16());
  }

  /** What is left of the chunk: the property block of versions 5 and 6. */
  rest(): Buffer | undefined {
    const n = this.left;
    return n > 0 ? this.bytes(n) : undefined;
  }
}

export function badFile(detail: string): PersistenceError {
  return new PersistenceError('BAD_MOSQUITTO_FILE', detail);
}

// Versions 5 and 6: a fixed struct, then strings.

export function msgStoreV56(r: ChunkReader): MsgStoreChunk {
  const storeId = r.u64();
  const expiryTime = r.u64();
  const payloadLen = r.u32();
  r.skip(2); // source mid
  const idLen = r.u16();
  const userLen = r.u16();
  const topicLen = r.u16();
  r.skip(2); // source port
  const qos = r.u8();
  const retain = r.u8() !== 0;
  const sourceId = r.text(idLen);
  r.skip(userLen);
  const topic = r.text(topicLen);
  const payload = r.bytes(payloadLen);
  return {
    storeId,
    expiryTime,
    sourceId,
    topic,
    qos,
    retain,
    payload,
    properties: r.rest(),
  };
}

export function clientV56(r: ChunkReader, version: number): ClientChunk {
  const expiryTime = r.u64();
  const expiryInterval = r.u32();
  const lastMid = r.u16();
  const idLen = r.u16();
  let userLen = 0;
  if (version === 6) {
    r.skip(2); // listener port
    userLen = r.u16();
    r.skip(4); // padding to a multiple of 8
  }
  const clientId = r.text(idLen);
  const username = userLen > 0 ? r.text(userLen) : undefined;
  return { clientId, expiryTime, expiryInterval, lastMid, username };
}

export function clientMsgV56(r: ChunkReader): ClientMsgChunk {
  const storeId = r.u64();
  const mid = r.u16();
  const idLen = r.u16();
  const qos = r.u8();
  const state = r.u8();
  const retainDup = r.u8();
  const direction = r.u8();
  const clientId = r.text(idLen);
  return {
    clientId,
    storeId,
    mid,
    qos,
    state,
    retain: retainDup >> 4 !== 0,
    dup: (retainDup & 0x0f) !== 0,
    direction,
    properties: r.rest(),
  };
}

export function subV56(r: ChunkReader): SubChunk {
  const identifier = r.u32();
  const idLen = r.u16();
  const topicLen = r.u16();
  const qos = r.u8();
  const options = r.u8();
  r.skip(2); // padding to a multiple of 4
  const clientId = r.text(idLen);
  const topic = r.text(topicLen);
  return { clientId, topic, qos, options, identifier };
}

// Versions 2 to 4: field by field.

export function msgStoreV234(r: ChunkReader, version: number): MsgStoreChunk {
  const storeId = r.u64();
  const sourceId = r.string();
  if (version === 4) {
    r.string(); // source username
    r.skip(2); // source port
  }
  r.skip(4); // source mid, mid
  const topic = r.string();
  const qos = r.u8();
  const retain = r.u8() !== 0;
  const payload = r.bytes(r.u32());
  return {
    storeId,
    expiryTime: 0,
    sourceId,
    topic,
    qos,
    retain,
    payload,
    properties: undefined,
  };
}

export function clientV234(r: ChunkReader, version: number): ClientChunk {
  const clientId = r.string();
  const lastMid = r.u16();
  if (version !== 2) r.skip(8); // disconnect time
  return {
    clientId,
    expiryTime: 0,
    expiryInterval: undefined,
    lastMid,
    username: undefined,
  };
}

export function clientMsgV234(r: ChunkReader): ClientMsgChunk {
  const clientId = r.string();
  const storeId = r.u64();
  const mid = r.u16();
  const qos = r.u8();
  const retain = r.u8() !== 0;
  const direction = r.u8();
  const state = r.u8();
  const dup = r.u8() !== 0;
  return {
    clientId,
    storeId,
    mid,
    qos,
    state,
    retain,
    dup,
    direction,
    properties: undefined,
  };
}

export function subV234(r: ChunkReader): SubChunk {
  const clientId = r.string();
  const topic = r.string();
  return { clientId, topic, qos: r.u8(), options: 0, identifier: 0 };
}
