#!/usr/bin/env node
/**
 * midge_passwd: the process side of src/security/passwd-tool.ts. Passwords
 * are read from the terminal without echo, or line by line from a pipe,
 * where the prompts are still printed as mosquitto_passwd prints them.
 * Ctrl-C while typing leaves with status 0 and writes nothing, as
 * mosquitto_passwd does.
 */
import { runPasswd } from '../security/passwd-tool.js';

/** Lines of a piped stdin, handed out one at a time. */
class PipeLines {
  readonly #stream: NodeJS.ReadStream;
  #buffer = '';
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(stream: NodeJS.ReadStream) {
    this.#stream = stream;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#wake?.();
    });
    stream.on('end', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  async next(): Promise<string | undefined> {
    this.#stream.resume();
    try {
      for (;;) {
        const line = this.#take();
        if (line !== undefined || this.#ended) return line;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.#stream.pause();
    }
  }

  /** The next complete line (or the unterminated last one), CR trimmed. */
  #take(): string | undefined {
    const end = this.#buffer.indexOf('\n');
    if (end < 0 && !(this.#ended && this.#buffer !== '')) return undefined;
    const stop = end < 0 ? this.#buffer.length : end;
    const line = this.#buffer.slice(0, stop);
    this.#buffer = this.#buffer.slice(stop + 1);
    return line.replace(/\r+$/, '');
  }
}

/** One line typed at the terminal, not echoed. */
function readTerminalLine(stdin: NodeJS.ReadStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let line = '';
    const finish = (value: string | undefined) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return finish(line);
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.exit(0);
        }
        if (ch === '\u0004' && line === '') return finish(undefined);
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else if (ch === '\u0015') line = '';
        else line += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

async function main(): Promise<void> {
  const stdin = process.stdin;
  let pipe: PipeLines | undefined;
  const readLine = () => {
    if (stdin.isTTY) return readTerminalLine(stdin);
    pipe ??= new PipeLines(stdin);
    return pipe.next();
  };
  const code = await runPasswd(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readLine,
  });
  process.exitCode = code;
  stdin.pause();
}

await main();
