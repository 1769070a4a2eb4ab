/**
 * A dynamic-security engine on a temporary file, and a way to send it
 * commands and read the answers as objects.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DynamicSecurity } from '../../../src/dynsec/index.js';

export interface Answer {
  command: string;
  error?: string;
  data?: Record<string, unknown>;
  correlationData?: string;
}

export interface Harness {
  ds: DynamicSecurity;
  file: string;
  dir: string;
  kicks: Array<string | null>;
  logs: string[];
  /** Sends the commands as one request; returns the answers. */
  send(...commands: object[]): Answer[];
  /** Sends one command; returns its answer. */
  one(command: object): Answer;
  /** Sends one command and fails the test unless it succeeded. */
  ok(command: object): Answer;
}

/** An engine whose file holds `config` (or none); removed after the test. */
export function harness(t: TestContext, config?: object | string): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'midge-dynsec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'dynamic-security.json');
  if (config !== undefined) {
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  }
  const kicks: Array<string | null> = [];
  const logs: string[] = [];
  const ds = new DynamicSecurity({
    configFile: file,
    kick: (username) => kicks.push(username),
    log: (_level, line) => logs.push(line),
  });
  ds.load();
  const send = (...commands: object[]): Answer[] => {
    const text = ds.handleControl(Buffer.from(JSON.stringify({ commands })), {
      clientId: 'ctl',
      username: 'admin',
    });
    return (JSON.parse(text) as { responses: Answer[] }).responses;
  };
  const one = (command: object) => send(command)[0]!;
  const ok = (command: object) => {
    const answer = one(command);
    if (answer.error !== undefined) {
      throw new Error(`${JSON.stringify(command)} failed: ${answer.error}`);
    }
    return answer;
  };
  return { ds, file, dir, kicks, logs, send, one, ok };
}

/** Sends a raw payload; returns the whole answer text. */
export function raw(h: Harness, payload: string | Buffer): string {
  return h.ds.handleControl(Buffer.isBuffer(payload) ? payload : Buffer.from(payload));
}
