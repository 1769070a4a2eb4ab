/**
 * Collects output as bytes. Topics and properties are text, payloads are
 * bytes; mosquitto_sub writes both as they are, so the formatter builds a
 * Buffer rather than a string that would have to guess an encoding.
 */
export class ByteSink {
  #parts: Buffer[] = [];
  #text = '';

  text(s: string): this {
    this.#text += s;
    return this;
  }

  bytes(b: Uint8Array): this {
    if (b.length === 0) return this;
    this.#flushText();
    this.#parts.push(Buffer.from(b.buffer, b.byteOffset, b.length));
    return this;
  }

  /** `n` copies of a one-byte character; nothing if n <= 0. */
  repeat(ch: string, n: number): this {
    if (n > 0) this.#text += ch.repeat(n);
    return this;
  }

  #flushText(): void {
    if (this.#text === '') return;
    this.#parts.push(Buffer.from(this.#text, 'utf8'));
    this.#text = '';
  }

  toBuffer(): Buffer {
    this.#flushText();
    return this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
  }
}
