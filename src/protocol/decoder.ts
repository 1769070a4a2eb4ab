/**
 * The streaming decoder: socket chunks in, packets out.
 *
 * A chunk usually holds whole packets, so the common path decodes straight
 * from it and hands out payloads as views into it (Node never reuses a
 * socket chunk). A packet that spans chunks is assembled by one copy into
 * a buffer of exactly its size, made when its last byte arrives: pieces
 * are kept in a list until then, so memory grows with the bytes received,
 * never with the length a peer announces. The packets after it in the last
 * chunk are decoded from that chunk, not copied. The fixed header is
 * checked as soon as it is complete, so a peer announcing a packet over
 * maxPacketSize, or of a type it may not send, is refused before its body
 * is buffered.
 */
import { checkFixedHeader, decodeBody, type Side } from './decode-packets.js';
import { malformed, ProtocolError } from './errors.js';
import type { Packet, ProtocolVersion } from './packets.js';
import { Reader } from './reader.js';
import { ReasonCode } from './reason-codes.js';

export interface DecoderOptions {
  /** 'server' decodes what clients send; 'client' what servers send. */
  side: Side;
  /** Largest remaining length + 1 accepted (as Mosquitto); 0 = no limit. */
  maxPacketSize?: number;
  version?: ProtocolVersion;
  /**
   * `this` for onPacket. Lets many decoders share one function instead of
   * holding a closure each (a broker keeps one decoder per connection).
   */
  receiver?: unknown;
}

/**
 * @example
 * const decoder = new PacketDecoder((p) => handle(p), { side: 'server' });
 * socket.on('data', (chunk) => decoder.feed(chunk));
 */
export class PacketDecoder {
  /**
   * 4 until a CONNECT's protocol level is read, then that version, even if
   * the rest of the CONNECT is refused: the broker answers in that form.
   * A client sets it itself.
   */
  version: ProtocolVersion;
  /**
   * Largest packet accepted, measured as Mosquitto does: remaining length
   * plus one. 0 = no limit. Checked before the body is buffered.
   */
  maxPacketSize: number;

  readonly #onPacket: (packet: Packet) => void;
  readonly #receiver: unknown;
  readonly #side: Side;
  #stopped = false;
  #suspended = false;
  /**
   * Pieces of an incomplete packet, and their total length; while
   * suspended, every byte not decoded yet, from a packet boundary.
   */
  #pending: Buffer[] = NO_PIECES;
  #pendingBytes = 0;
  /** Bytes the incomplete packet needs in all, or 0 if not known yet. */
  #need = 0;
  /** Where the incomplete packet's body starts, from its first byte. */
  #pendingBody = 0;
  /** Fixed header of the packet being parsed (or assembled). */
  #first = 0;
  #bodyStart = 0;

  constructor(onPacket: (packet: Packet) => void, options: DecoderOptions) {
    this.#onPacket = onPacket;
    this.#receiver = options.receiver;
    this.#side = options.side;
    this.version = options.version ?? 4;
    this.maxPacketSize = options.maxPacketSize ?? 0;
  }

  /**
   * Decodes every complete packet in `chunk` (after any held-back tail),
   * calling onPacket for each. Throws ProtocolError on bad input; the
   * decoder is stopped after any throw. While suspended the chunk is only
   * kept.
   */
  feed(chunk: Buffer): void {
    if (this.#stopped) return;
    if (this.#suspended) {
      // An empty list may be the shared NO_PIECES, never written to.
      if (this.#pending.length === 0) this.#pending = [chunk];
      else this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      return;
    }
    try {
      const off = this.#pendingBytes > 0 ? this.#complete(chunk) : 0;
      if (off >= 0) this.#decodeAll(chunk, off);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  /**
   * Stops after the packet being handed out (safe to call from onPacket):
   * the rest of the chunk, and any chunk fed meanwhile, wait for `resume`.
   * A reader paused for flow control thus does no work for what it holds.
   */
  suspend(): void {
    this.#suspended = true;
  }

  /**
   * Decodes what waited while suspended, as if fed again now (the pieces
   * start at a packet boundary); may throw as `feed` does, and may be
   * suspended again part way, keeping the rest.
   */
  resume(): void {
    if (!this.#suspended) return;
    this.#suspended = false;
    const pieces = this.#pending;
    this.#pending = NO_PIECES;
    this.#pendingBytes = 0;
    this.#need = 0;
    for (const piece of pieces) this.feed(piece);
  }

  get suspended(): boolean {
    return this.#suspended;
  }

  /** Stops for good; safe to call from onPacket. */
  stop(): void {
    this.#stopped = true;
    this.#pending = NO_PIECES;
    this.#pendingBytes = 0;
  }

  #decodeAll(buf: Buffer, start: number): void {
    const len = buf.length;
    let off = start;
    while (off < len && !this.#stopped) {
      if (this.#suspended) {
        // Kept from this packet boundary; decoded again on resume.
        this.#pending = [buf.subarray(off)];
        this.#pendingBytes = len - off;
        return;
      }
      const end = this.#packetEnd(buf, off);
      if (end < 0 || end > len) {
        this.#holdBack(buf, off, end < 0 ? 0 : end - off);
        return;
      }
      const packet = this.#decodePacket(buf, this.#bodyStart, end);
      off = end;
      this.#onPacket.call(this.#receiver, packet);
    }
  }

  /**
   * Keeps the incomplete packet starting at `off`; `need` is its full
   * size, 0 if its header is incomplete too.
   */
  #holdBack(buf: Buffer, off: number, need: number): void {
    this.#pending = [buf.subarray(off)];
    this.#pendingBytes = buf.length - off;
    this.#need = need;
    this.#pendingBody = this.#bodyStart - off;
  }

  /**
   * Adds `chunk` to the held-back packet. When that completes it, decodes
   * it and returns the offset in `chunk` just past it; else returns -1.
   */
  #complete(chunk: Buffer): number {
    if (this.#need === 0 && !this.#learnSize(chunk)) return -1;
    const take = this.#need - this.#pendingBytes;
    if (chunk.length < take) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      return -1;
    }
    this.#pending.push(chunk.subarray(0, take));
    const buf = Buffer.concat(this.#pending, this.#need);
    const body = this.#pendingBody;
    this.#pending = NO_PIECES;
    this.#pendingBytes = 0;
    this.#need = 0;
    this.#first = buf[0]!;
    const packet = this.#decodePacket(buf, body, buf.length);
    this.#onPacket.call(this.#receiver, packet);
    return take;
  }

  /**
   * A fixed header cut short: completes it from the first bytes of
   * `chunk` (it has at most five) without copying the rest. False if the
   * chunk ends before the header does.
   */
  #learnSize(chunk: Buffer): boolean {
    const head = Buffer.concat([...this.#pending, chunk.subarray(0, 5)]);
    const end = this.#packetEnd(head, 0);
    if (end < 0) {
      // The whole chunk is in `head`: it was shorter than the header.
      this.#pending = [head];
      this.#pendingBytes = head.length;
      return false;
    }
    this.#need = end;
    this.#pendingBody = this.#bodyStart;
    return true;
  }

  /**
   * Parses the fixed header at `off`. Returns the offset just past the
   * packet (which may lie beyond the buffer), or -1 if the header itself
   * is incomplete.
   */
  #packetEnd(buf: Buffer, off: number): number {
    const first = buf[off]!;
    let remaining = 0;
    let mult = 1;
    let pos = off + 1;
    for (;;) {
      if (pos >= buf.length) return -1;
      const b = buf[pos++]!;
      remaining += (b & 0x7f) * mult;
      if ((b & 0x80) === 0) break;
      if (pos - off > 4) {
        // [MQTT-1.5.5-1] at most four bytes: 268435455 is the maximum.
        throw malformed('MALFORMED_REMAINING_LENGTH', 'remaining length over 4 bytes');
      }
      mult *= 128;
    }
    checkFixedHeader(first, this.version, this.#side);
    // Mosquitto counts the remaining length plus one byte, not the length
    // bytes (2.0.11 accepts a 41-byte packet under max_packet_size 40,
    // observed); midge sizes packets the same way.
    if (this.maxPacketSize > 0 && remaining + 1 > this.maxPacketSize) {
      throw new ProtocolError(
        ReasonCode.PacketTooLarge,
        'PACKET_TOO_LARGE',
        `packet of ${remaining + 1} bytes over the maximum of ${this.maxPacketSize}`,
      );
    }
    this.#first = first;
    this.#bodyStart = pos;
    return pos + remaining;
  }

  #decodePacket(buf: Buffer, bodyStart: number, end: number): Packet {
    const r = reader;
    r.reset(buf, bodyStart, end);
    // decodeBody sets this.version when it reads a CONNECT.
    const packet = decodeBody(r, this.#first, this.#side, this);
    r.reset(EMPTY, 0, 0);
    return packet;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Shared by every decoder: a packet is read from start to end without
 * yielding, so no two decoders ever use it at once, and an idle
 * connection's decoder holds no reader of its own.
 */
const reader = new Reader();

/** What an idle decoder holds; never written (holdBack makes a new list). */
const NO_PIECES: Buffer[] = [];
