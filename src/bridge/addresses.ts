/**
 * Which remote address a bridge tries next (`address a b c`,
 * `round_robin`). After a failed attempt or a lost connection the bridge
 * moves on to the next address, wrapping around. Without round_robin the
 * first address is the main one: while connected elsewhere the bridge
 * checks every few seconds whether the main one answers again and, if so,
 * goes back to it.
 */
import { connect as netConnect } from 'node:net';
import type { BridgeAddress } from '../config/types.js';

/** How often a bridge on a secondary address checks the main one. */
export const PRIMARY_PROBE_MS = 5000;

export class AddressRing {
  readonly #addresses: readonly BridgeAddress[];
  readonly #roundRobin: boolean;
  #index = 0;

  constructor(addresses: readonly BridgeAddress[], roundRobin: boolean) {
    if (addresses.length === 0) throw new Error('a bridge needs an address');
    this.#addresses = addresses;
    this.#roundRobin = roundRobin;
  }

  get current(): BridgeAddress {
    return this.#addresses[this.#index]!;
  }

  get primary(): BridgeAddress {
    return this.#addresses[0]!;
  }

  /** True when the bridge should watch for the main address to return. */
  get onSecondary(): boolean {
    return !this.#roundRobin && this.#index !== 0;
  }

  /** Moves to the next address after a failure or a lost connection. */
  advance(): void {
    this.#index = (this.#index + 1) % this.#addresses.length;
  }

  /** Goes back to the main address (the probe found it up). */
  backToPrimary(): void {
    this.#index = 0;
  }
}

/** Resolves true if a TCP connection to `address` opens within `ms`. */
export function probe(
  address: BridgeAddress,
  bindAddress: string | null,
  ms = PRIMARY_PROBE_MS,
): Promise<boolean> {
  return new Promise((resolve) => {
    const options = { host: address.host, port: address.port };
    const socket = netConnect(
      bindAddress === null ? options : { ...options, localAddress: bindAddress },
    );
    const done = (up: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(up);
    };
    const timer = setTimeout(() => done(false), ms);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
