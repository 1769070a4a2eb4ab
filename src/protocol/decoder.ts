/**
 * The streaming decoder: socket chunks in, packets out.
 *
 * A chunk usually holds whole packets, so the common path decodes straight
 * from it and hands out payloads as views into it (Node never reuses a
 * socket chunk). Only a packet that spans chunks is assembled by copying,
 * and the copy waits until the whole packet has arrived: pieces are kept
 * in a list, never concatenated one by one. The fixed header is checked as
 * soon as it is complete, so a peer announcing a packet over maxPacketSize,
 * or of a type it may not send, is refused before its body is buffered.
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
  /** Pieces of an incomplete packet, and their total length. */
  #pending: Buffer[] = NO_PIECES;
  #pendingBytes = 0;
  /** Bytes the incomplete packet needs in all, or 0 if not known yet. */
  #need = 0;
  /** Fixed header of the packet being parsed. */
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
    if (this.#pendingBytes === 0 && !this.#suspended) {
      this.#run(chunk);
      return;
    }
    // An empty list may be the shared NO_PIECES, never written to.
    if (this.#pending.length === 0) this.#pending = [chunk];
    else this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    this.#continue();
  }

  /**
   * Stops after the packet being handed out (safe to call from onPacket):
   * the rest of the chunk, and any chunk fed meanwhile, wait for `resume`.
   * A reader paused for flow control thus does no work for what it holds.
   */
  suspend(): void {
    this.#suspended = true;
  }

  /** Decodes what waited while suspended; may throw as `feed` does. */
  resume(): void {
    this.#suspended = false;
    this.#continue();
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

  /** Decodes the kept bytes once they hold a whole packet. */
  #continue(): void {
    if (this.#suspended || this.#stopped) return;
    if (this.#pendingBytes === 0 || this.#pendingBytes < this.#need) return;
    const pending = this.#pending;
    const buf =
      pending.length === 1
        ? (pending[0] as Buffer)
        : Buffer.concat(pending, this.#pendingBytes);
    this.#pending = NO_PIECES;
    this.#pendingBytes = 0;
    this.#need = 0;
    this.#run(buf);
  }

  #run(buf: Buffer): void {
    try {
      this.#decodeAll(buf);
    } catch (err) {
      this.stop();
      throw err;
    }
  }

  #decodeAll(buf: Buffer): void {
    const len = buf.length;
    let off = 0;
    while (off < len && !this.#stopped) {
      const end = this.#packetEnd(buf, off);
      if (end < 0 || end > len) {
        this.#holdBack(buf.subarray(off), end < 0 ? 0 : end - off);
        return;
      }
      const packet = this.#decodePacket(buf, end);
      off = end;
      this.#onPacket.call(this.#receiver, packet);
      if (this.#suspended) {
        // Need unknown (0): tried again as a whole on resume.
        if (off < len && !this.#stopped) this.#holdBack(buf.subarray(off), 0);
        return;
      }
    }
  }

  /** Keeps an incomplete packet; `need` is its full size, 0 if unknown. */
  #holdBack(tail: Buffer, need: number): void {
    this.#pending = [tail];
    this.#pendingBytes = tail.length;
    this.#need = need;
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

  #decodePacket(buf: Buffer, end: number): Packet {
    const r = reader;
    r.reset(buf, this.#bodyStart, end);
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
