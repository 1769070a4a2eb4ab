/**
 * Packet identifiers in use by this client: QoS 1/2 publishes in flight and
 * SUBSCRIBE/UNSUBSCRIBE awaiting their ack share one space of 1..65535
 * [MQTT-2.2.1-3]. A cursor walks forward so a freed id is not reused at
 * once, which keeps late duplicates from a server apart from new packets.
 */
export class PacketIds {
  readonly #used = new Uint8Array(65536);
  #next = 1;
  #count = 0;

  get inUse(): number {
    return this.#count;
  }

  /** A free identifier, or 0 when all 65535 are taken. */
  allocate(): number {
    if (this.#count >= 65535) return 0;
    let id = this.#next;
    while (this.#used[id] === 1) id = id === 65535 ? 1 : id + 1;
    this.#used[id] = 1;
    this.#count++;
    this.#next = id === 65535 ? 1 : id + 1;
    return id;
  }

  release(id: number): void {
    if (this.#used[id] !== 1) return;
    this.#used[id] = 0;
    this.#count--;
  }
}
