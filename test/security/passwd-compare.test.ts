/**
 * midge_passwd against Debian's mosquitto_passwd: the same arguments, the
 * same piped input and the same starting file go to both; exit code,
 * stdout, stderr and the resulting file (hashes reduced to their type)
 * must be the same. midge_passwd runs in-process through runPasswd; its
 * process glue is tried in passwd-cli.test.ts.
 *
 * The usage text is midge's own wording, so for usage cases only the exit
 * code and "printed on stdout" are compared. Cases where midge_passwd
 * deliberately differs (it keeps comment lines, adds a missing final
 * newline, skips hashed entries with -U, refuses an empty username) are
 * tested in test/unit/security.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { runPasswd } from '../../src/security/passwd-tool.js';
import { haveMosquittoPasswd, tempDir } from './mosquitto.js';

interface Case {
  name: string;
  /** FILE and MISSING stand for a file in the test's folder. */
  args: string[];
  stdin?: string;
  before?: string;
  usage?: boolean;
}

const cases: Case[] = [
  { name: '-c with -D', args: ['-c', '-D', 'FILE', 'a'] },
  { name: '-c with -U', args: ['-c', '-U', 'FILE'] },
  { name: '-D with -U', args: ['-D', '-U', 'FILE'] },
  { name: '-b with -D', args: ['-b', '-D', 'FILE', 'a'] },
  { name: 'unknown hash', args: ['-H', 'md5', 'FILE', 'a'] },
  { name: '-H last', args: ['-H'] },
  { name: '-I last', args: ['-I'] },
  { name: '-I 0', args: ['-I', '0', '-b', 'FILE', 'a', 'b'] },
  { name: '-I not a number', args: ['-I', 'abc', '-b', 'FILE', 'a', 'b'] },
  { name: '-I negative', args: ['-I', '-5', '-b', 'FILE', 'a', 'b'] },
  { name: '-c without user', args: ['-c', 'FILE'] },
  { name: '-c -b without password', args: ['-c', '-b', 'FILE', 'a'] },
  { name: '-D without user', args: ['-D', 'FILE'] },
  { name: '-U without file', args: ['-U'] },
  { name: '-U with two names', args: ['-U', 'FILE', 'extra'] },
  { name: 'no arguments', args: [], usage: true },
  { name: '-b without password', args: ['-b', 'FILE', 'a'], usage: true },
  { name: 'file only', args: ['FILE'], usage: true },
  { name: 'unknown option', args: ['-x', 'FILE', 'a'], usage: true },
  { name: 'missing file, batch', args: ['-b', 'MISSING', 'a', 'b'] },
  { name: 'missing file, before any prompt', args: ['MISSING', 'a'], stdin: 'x\nx\n' },
  { name: 'missing file, -D', args: ['-D', 'MISSING', 'a'] },
  { name: 'missing file, -U', args: ['-U', 'MISSING'] },
  { name: 'colon in username', args: ['-b', '-c', 'FILE', 'a:b', 'x'] },
  { name: 'tab in username', args: ['-b', '-c', 'FILE', 'a\tb', 'x'] },
  { name: 'DEL in username', args: ['-b', '-c', 'FILE', 'a\x7fb', 'x'] },
  { name: 'long username', args: ['-b', '-c', 'FILE', 'u'.repeat(65536), 'x'] },
  { name: 'long password', args: ['-b', '-c', 'FILE', 'u', 'p'.repeat(65536)] },
  { name: 'create, batch', args: ['-c', '-b', 'FILE', 'alice', 'secret'] },
  { name: 'create, sha512', args: ['-c', '-H', 'sha512', '-b', 'FILE', 'alice', 's'] },
  { name: 'create, 7 rounds', args: ['-c', '-I', '7', '-b', 'FILE', 'alice', 's'] },
  { name: 'create, empty password', args: ['-c', '-b', 'FILE', 'alice', ''] },
  { name: 'create, UTF-8 name', args: ['-c', '-b', 'FILE', 'jöhn', 'pä'] },
  { name: 'create, prompted', args: ['-c', 'FILE', 'u'], stdin: 'pw1\npw1\n' },
  { name: 'create, CRLF input', args: ['-c', 'FILE', 'u'], stdin: 'pw\r\npw\r\n' },
  { name: 'create, passwords differ', args: ['-c', 'FILE', 'u'], stdin: 'pw1\npw2\n' },
  { name: 'create, no input', args: ['-c', 'FILE', 'u'], stdin: '' },
  { name: 'create, one line', args: ['-c', 'FILE', 'u'], stdin: 'abc' },
  { name: 'create, empty line', args: ['-c', 'FILE', 'u'], stdin: '\n\n' },
  {
    name: 'create over a file',
    args: ['-c', '-b', 'FILE', 'new', 'x'],
    before: 'old:$7$101$AAAA$BBBB\n',
  },
  { name: 'add, prompted', args: ['FILE', 'b'], stdin: 'x\nx\n', before: 'a:pa\n' },
  { name: 'add, batch', args: ['-b', 'FILE', 'b', 'x'], before: 'a:pa\n' },
  {
    name: 'replace every entry of a user',
    args: ['-b', 'FILE', 'u3', 'new'],
    before: 'u3:x\nother:y\nu3:z\n',
  },
  { name: 'delete', args: ['-D', 'FILE', 'u2'], before: 'u1:a\nu2:b\nu3:c\nu2:d\n' },
  { name: 'delete unknown', args: ['-D', 'FILE', 'nobody'], before: 'u1:a\n' },
  {
    name: 'upgrade plain text',
    args: ['-U', 'FILE'],
    before: 'a:pa\r\nb:pb\n  c  :  pc  \nd:pd:extra\n',
  },
  { name: 'upgrade, corrupt line', args: ['-U', 'FILE'], before: 'a:pa\nbad\n' },
  { name: 'upgrade, empty hash', args: ['-U', 'FILE'], before: 'a:pa\nb:\n' },
];

interface Outcome {
  code: number | null;
  out: string;
  err: string;
  file: string | undefined;
  mode: number | undefined;
}

describe('midge_passwd - same behaviour as mosquitto_passwd', {
  skip: haveMosquittoPasswd ? false : 'mosquitto_passwd is not installed',
}, () => {
  for (const c of cases) {
    test(`passwd - ${c.name}`, async (t) => {
      const theirs = mosquittoPasswd(t, c);
      const ours = await midgePasswd(t, c);
      assert.equal(ours.code, theirs.code, 'exit code');
      if (c.usage) {
        assert.ok(ours.out.length > 0 && theirs.out.length > 0, 'usage on stdout');
      } else {
        assert.equal(ours.out, theirs.out, 'stdout');
      }
      assert.equal(ours.err, theirs.err, 'stderr');
      assert.equal(ours.file, theirs.file, 'resulting file');
      assert.equal(ours.mode?.toString(8), theirs.mode?.toString(8), 'file mode');
    });
  }
});

function setUp(t: TestContext, c: Case): { dir: string; args: string[] } {
  const dir = tempDir(t);
  if (c.before !== undefined) writeFileSync(join(dir, 'pw'), c.before);
  const args = c.args.map((arg) =>
    arg === 'FILE' ? join(dir, 'pw') : arg === 'MISSING' ? join(dir, 'missing') : arg,
  );
  return { dir, args };
}

function mosquittoPasswd(t: TestContext, c: Case): Outcome {
  const { dir, args } = setUp(t, c);
  const run = spawnSync('mosquitto_passwd', args, {
    input: c.stdin ?? '',
    encoding: 'utf8',
  });
  return outcome(dir, run.status, run.stdout, run.stderr);
}

async function midgePasswd(t: TestContext, c: Case): Promise<Outcome> {
  const { dir, args } = setUp(t, c);
  let out = '';
  let err = '';
  const lines = pipedLines(c.stdin ?? '');
  const code = await runPasswd(args, {
    out: (text) => (out += text),
    err: (text) => (err += text),
    readLine: async () => lines.shift(),
  });
  return outcome(dir, code, out, err);
}

/** Lines as a pipe gives them: CR trimmed, an unterminated last line kept. */
function pipedLines(input: string): string[] {
  const lines = input.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => line.replace(/\r+$/, ''));
}

/** Paths and hashes made comparable: only the hash type is kept. */
function outcome(dir: string, code: number | null, out: string, err: string): Outcome {
  const path = join(dir, 'pw');
  const file = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  const mode = existsSync(path) ? statSync(path).mode & 0o7777 : undefined;
  const hashes = /\$([67])\$(\d+\$)?[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}/g;
  return {
    code,
    out: out.replaceAll(dir, '<dir>'),
    err: err.replaceAll(dir, '<dir>'),
    file: file?.replace(hashes, (_, type, rounds) => `$${type}$${rounds ?? ''}<hash>`),
    mode,
  };
}
