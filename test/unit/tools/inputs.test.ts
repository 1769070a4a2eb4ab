/**
 * Message sources of midge_pub and midge_rr: -f, -s and -l, with lines
 * split across chunks and Mosquitto's errors for empty or missing input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  type InputError,
  readFileMessage,
  readStdinMessage,
  stdinLines,
} from '../../../src/cli/client-options/inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'midge-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((p) => Buffer.from(p)));
}

async function lines(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  for await (const line of stdinLines(stream)) out.push(line.toString());
  return out;
}

describe('-l lines', () => {
  test('split at \\n across chunks; \\r, empty lines and a last line kept', async () => {
    assert.deepEqual(await lines(chunks('on', 'e\n\ntw', 'o\r\n', 'last')), [
      'one',
      '',
      'two\r',
      'last',
    ]);
    assert.deepEqual(await lines(chunks('a\n', 'b\n')), ['a', 'b']);
    assert.deepEqual(await lines(chunks()), []);
  });

  test('a long line in many chunks comes out whole', async () => {
    const parts = Array.from({ length: 50 }, () => 'x'.repeat(1000));
    const [line] = await lines(chunks(...parts, '\n'));
    assert.equal(line?.length, 50_000);
  });
});

describe('-s and -f', () => {
  test('-s joins all of stdin; empty stdin is "Zero length input"', async () => {
    assert.equal((await readStdinMessage(chunks('ab', 'c'))).toString(), 'abc');
    await assert.rejects(readStdinMessage(chunks()), (err: InputError) => {
      return err.text === 'Error: Zero length input.\n';
    });
  });

  test('-f reads the file whole; an empty file is an empty message', () => {
    const file = join(dir, 'data');
    writeFileSync(file, Buffer.from([0, 1, 2, 255]));
    assert.deepEqual([...readFileMessage(file)], [0, 1, 2, 255]);
    writeFileSync(file, '');
    assert.equal(readFileMessage(file).length, 0);
  });

  test('-f errors: missing file, a folder', () => {
    assert.throws(
      () => readFileMessage(join(dir, 'nope')),
      (err: InputError) => {
        return err.text === `Error: Unable to open file "${join(dir, 'nope')}".\n`;
      },
    );
    assert.throws(
      () => readFileMessage(dir),
      (err: InputError) => {
        return err.text === 'Error: File must be less than 268435455 bytes.\n\n';
      },
    );
  });
});
