/**
 * Splits mosquitto.conf text into option lines the way Mosquitto does:
 * a `#` in the first column starts a comment, CR/LF endings are stripped,
 * words are separated by runs of spaces only (a tab is part of a word, so
 * `allow_anonymous<TAB>true` is one unknown word, as in Mosquitto).
 */

export interface RawLine {
  line: number;
  /** The line without its line ending. */
  text: string;
}

/** Lines that carry an option: not comments, not blank, not only spaces. */
export function optionLines(text: string): RawLine[] {
  const out: RawLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const stripped = lines[i]!.replace(/[\r\n]+$/, '');
    if (stripped.startsWith('#') || stripped.startsWith('\r')) continue;
    if (stripped.replaceAll(' ', '') === '') continue;
    out.push({ line: i + 1, text: stripped });
  }
  return out;
}

/**
 * Reads the words of one line after the option name. `word()` gives the
 * next space-separated word; `rest()` the remainder of the line, which is
 * what Mosquitto stores for string values.
 */
export class WordReader {
  readonly #text: string;
  #pos: number;

  constructor(text: string, pos = 0) {
    this.#text = text;
    this.#pos = pos;
  }

  /** The next word, or undefined at the end of the line. */
  word(): string | undefined {
    while (this.#text[this.#pos] === ' ') this.#pos++;
    if (this.#pos >= this.#text.length) return undefined;
    const end = this.#text.indexOf(' ', this.#pos);
    const stop = end < 0 ? this.#text.length : end;
    const word = this.#text.slice(this.#pos, stop);
    this.#pos = stop < this.#text.length ? stop + 1 : stop;
    return word;
  }

  /**
   * Everything after the current position (one separating space already
   * consumed by the previous word), untrimmed.
   */
  rest(): string {
    const rest = this.#text.slice(this.#pos);
    this.#pos = this.#text.length;
    return rest;
  }

  /** The remaining words, stopping at a word that starts a `#` comment. */
  words(): string[] {
    const out: string[] = [];
    for (let w = this.word(); w !== undefined; w = this.word()) {
      if (w.startsWith('#')) break;
      out.push(w);
    }
    return out;
  }
}

/** Mosquitto trims spaces and tabs at both ends of string values. */
export function trimBlanks(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}
