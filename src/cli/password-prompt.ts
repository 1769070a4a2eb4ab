/**
 * Password prompts as mosquitto_ctrl and mosquitto_passwd show them: the
 * prompt on stdout, the answer typed without echo (or read line by line
 * from a pipe), a newline after each answer, and a second prompt to
 * confirm a new password.
 */

/** Lines of a piped stdin, handed out one at a time. */
class PipeLines {
  #buffer = '';
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(readonly stream: NodeJS.ReadStream) {
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
    this.stream.resume();
    try {
      for (;;) {
        const end = this.#buffer.indexOf('\n');
        if (end >= 0 || (this.#ended && this.#buffer !== '')) {
          const stop = end < 0 ? this.#buffer.length : end;
          const line = this.#buffer.slice(0, stop);
          this.#buffer = this.#buffer.slice(stop + 1);
          return line.replace(/\r+$/, '');
        }
        if (this.#ended) return undefined;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.stream.pause();
    }
  }
}

/**
 * One line typed at the terminal, not echoed; Ctrl-C ends the process with
 * `interruptStatus`.
 *
 * LIMIT(compat): Backspace erases the last character here; mosquitto_passwd
 * and mosquitto_ctrl 2.0.11 read the terminal unedited and keep it (and
 * Ctrl-U) as part of the password.
 */
function terminalLine(
  stdin: NodeJS.ReadStream,
  interruptStatus: number,
): Promise<string | undefined> {
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
          process.exit(interruptStatus);
        }
        if (ch === '\u0004' && line === '') return finish(undefined);
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else line += ch;
      }
    };
    stdin.setEncoding('utf8');
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

export interface PromptIo {
  out(text: string): void;
  err(text: string): void;
  readLine(): Promise<string | undefined>;
}

/**
 * Prompt input from this process's terminal or pipe. Ctrl-C at the terminal
 * exits with `interruptStatus`: 130 by default, a shell's status for a
 * process ended by SIGINT.
 */
export function processPromptIo(interruptStatus = 130): PromptIo {
  let pipe: PipeLines | undefined;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    readLine: () => {
      if (process.stdin.isTTY) return terminalLine(process.stdin, interruptStatus);
      pipe ??= new PipeLines(process.stdin);
      return pipe.next();
    },
  };
}

export type PasswordResult = { ok: true; password: string } | { ok: false; code: 1 | 2 };

/**
 * mosquitto's get_password(): code 1 for an empty answer, 2 for two
 * answers that differ. Unless `quiet`, says so on stderr.
 */
export async function getPassword(
  io: PromptIo,
  prompt: string,
  verifyPrompt: string | undefined,
  quiet: boolean,
): Promise<PasswordResult> {
  const ask = async (text: string) => {
    io.out(text);
    const line = await io.readLine();
    if (line === undefined || line === '') {
      if (!quiet) io.err('Error: Empty password.\n');
      return undefined;
    }
    io.out('\n');
    return line;
  };
  const first = await ask(prompt);
  if (first === undefined) return { ok: false, code: 1 };
  if (verifyPrompt === undefined) return { ok: true, password: first };
  const second = await ask(verifyPrompt);
  if (second === undefined) return { ok: false, code: 1 };
  if (first !== second) {
    if (!quiet) io.err('Error: Passwords do not match.\n');
    return { ok: false, code: 2 };
  }
  return { ok: true, password: first };
}
