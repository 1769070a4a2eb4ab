/**
 * hosts_access(5) rules: patterns, EXCEPT, the allow-then-deny order, the
 * allow/deny options, and the files read and re-read from a temporary
 * folder.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAccessRules, ruleMatches } from '../../../src/listeners/hosts-access.js';
import { HostAccess } from '../../../src/listeners/hosts-files.js';
import { CaptureLog } from '../../helpers/capture-log.js';

/** Does the one rule in `line` match a midge client at `client`? */
function matches(line: string, client: string, daemon = 'midge'): boolean {
  const { rules } = parseAccessRules(line, 'test');
  assert.equal(rules.length, 1, `one rule in ${line}`);
  return ruleMatches(rules[0]!, { daemon, client, server: '127.0.0.1' });
}

describe('hosts_access patterns', () => {
  test('daemon names: ALL, our name in any case, another name', () => {
    assert.equal(matches('ALL: ALL', '10.0.0.1'), true);
    assert.equal(matches('MIDGE: ALL', '10.0.0.1'), true);
    assert.equal(matches('sshd: ALL', '10.0.0.1'), false);
    assert.equal(matches('sshd, midge: ALL', '10.0.0.1'), true);
  });

  test('daemon@address compares the address the client connected to', () => {
    assert.equal(matches('midge@127.0.0.1: ALL', '10.0.0.1'), true);
    assert.equal(matches('midge@10.9.9.9: ALL', '10.0.0.1'), false);
  });

  test('exact addresses, IPv4 prefixes and net/mask', () => {
    assert.equal(matches('midge: 192.0.2.5', '192.0.2.5'), true);
    assert.equal(matches('midge: 192.0.2.5', '192.0.2.55'), false);
    assert.equal(matches('midge: 192.0.2.', '192.0.2.55'), true);
    assert.equal(matches('midge: 192.0.2.', '192.0.20.1'), false);
    assert.equal(matches('midge: 10.1.0.0/255.255.0.0', '10.1.200.3'), true);
    assert.equal(matches('midge: 10.1.0.0/255.255.0.0', '10.2.0.3'), false);
    assert.equal(matches('midge: 10.1.0.0/16', '10.1.200.3'), true);
    assert.equal(matches('midge: 10.1.0.0/16', '10.0.200.3'), false);
  });

  test('IPv6 in brackets, with or without a prefix length', () => {
    assert.equal(matches('midge: [2001:db8::]/32', '2001:db8:1::7'), true);
    assert.equal(matches('midge: [2001:db8::]/32', '2001:db9::7'), false);
    assert.equal(matches('midge: [::1]', '::1'), true);
    assert.equal(matches('midge: [::1]', '::2'), false);
    assert.equal(matches('midge: [::1]', '127.0.0.1'), false);
  });

  test('wildcards in an address', () => {
    assert.equal(matches('midge: 192.0.2.*', '192.0.2.200'), true);
    assert.equal(matches('midge: 192.0.?.1', '192.0.7.1'), true);
    assert.equal(matches('midge: 192.0.?.1', '192.0.77.1'), false);
  });

  test('EXCEPT, nested to the right', () => {
    const rule = 'midge: 10.0.0.0/8 EXCEPT 10.1.0.0/16 EXCEPT 10.1.2.3';
    assert.equal(matches(rule, '10.9.9.9'), true);
    assert.equal(matches(rule, '10.1.9.9'), false);
    assert.equal(matches(rule, '10.1.2.3'), true);
    assert.equal(matches(rule, '11.0.0.1'), false);
    assert.equal(matches('ALL EXCEPT midge: ALL', '10.0.0.1'), false);
    assert.equal(matches('ALL EXCEPT sshd: ALL', '10.0.0.1'), true);
  });

  test('names need lookups midge does not do: they never match, with a warning', () => {
    const { rules, warnings } = parseAccessRules(
      'midge: .example.com LOCAL host.example.com user@10.0.0.1 @group\n',
      'hosts.deny',
    );
    const request = { daemon: 'midge', client: '10.0.0.1', server: '127.0.0.1' };
    assert.equal(ruleMatches(rules[0]!, request), false);
    assert.equal(warnings.length, 5);
    assert.match(warnings[0]!, /^hosts\.deny:1: "\.example\.com" needs a name lookup/);
  });

  test('comments, blank lines, continuations and a missing separator', () => {
    const text =
      '# comment\n\n  # indented comment\nmidge: \\\n  10.0.0.1\nbroken line\n';
    const { rules, warnings } = parseAccessRules(text, 'f');
    assert.equal(rules.length, 1);
    assert.equal(rules[0]!.line, 4);
    assert.deepEqual(warnings, ['f:6: missing ":" separator, line ignored']);
  });

  test('a /file of patterns', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-hosts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const list = join(dir, 'trusted');
    writeFileSync(list, '10.0.0.1 10.0.0.2\n192.168.\n');
    assert.equal(matches(`midge: ${list}`, '10.0.0.2'), true);
    assert.equal(matches(`midge: ${list}`, '192.168.4.4'), true);
    assert.equal(matches(`midge: ${list}`, '10.0.0.3'), false);
  });
});

describe('hosts.allow and hosts.deny', () => {
  function setup(t: { after(fn: () => void): void }) {
    const dir = mkdtempSync(join(tmpdir(), 'midge-hosts-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const allowFile = join(dir, 'hosts.allow');
    const denyFile = join(dir, 'hosts.deny');
    const log = new CaptureLog();
    const access = new HostAccess({ allowFile, denyFile, daemon: 'midge' }, log);
    return { dir, allowFile, denyFile, log, access };
  }

  test('no files: everyone may connect', (t) => {
    const { access } = setup(t);
    assert.equal(access.allows('10.0.0.1', '127.0.0.1'), true);
  });

  test('allow wins over deny; deny refuses; neither allows', (t) => {
    const { access, allowFile, denyFile } = setup(t);
    writeFileSync(allowFile, 'midge: 10.0.0.1\n');
    writeFileSync(denyFile, 'ALL: ALL\n');
    assert.equal(access.allows('10.0.0.1', '127.0.0.1'), true);
    assert.equal(access.allows('10.0.0.2', '127.0.0.1'), false);
  });

  test('rules for other daemons do not apply', (t) => {
    const { access, denyFile } = setup(t);
    writeFileSync(denyFile, 'sshd: ALL\n');
    assert.equal(access.allows('10.0.0.2', '127.0.0.1'), true);
  });

  test('the allow and deny options override the file', (t) => {
    const { access, allowFile } = setup(t);
    writeFileSync(
      allowFile,
      'midge: 10.0.0.9 : deny\nmidge: ALL : spawn /bin/true : allow\n',
    );
    assert.equal(access.allows('10.0.0.9', '127.0.0.1'), false);
    assert.equal(access.allows('10.0.0.8', '127.0.0.1'), true);
  });

  test('an edited file applies at the next check after a second', (t) => {
    const { access, denyFile } = setup(t);
    const now = Date.now();
    writeFileSync(denyFile, 'midge: 10.0.0.1\n');
    assert.equal(access.allows('10.0.0.1', '127.0.0.1', now), false);
    writeFileSync(denyFile, 'midge: 10.0.0.2\n');
    const later = new Date(now + 5000);
    utimesSync(denyFile, later, later);
    assert.equal(access.allows('10.0.0.1', '127.0.0.1', now + 10), false, 'cached');
    assert.equal(access.allows('10.0.0.1', '127.0.0.1', now + 1500), true);
    assert.equal(access.allows('10.0.0.2', '127.0.0.1', now + 1500), false);
  });

  test('a file that cannot be read refuses everyone, and says so', (t) => {
    const { access, allowFile, log } = setup(t);
    mkdirSync(allowFile);
    assert.equal(access.allows('10.0.0.1', '127.0.0.1'), false);
    assert.match(log.lines.join('\n'), /cannot read .*hosts\.allow \(EISDIR\)/);
  });

  test('warnings of a file are logged with file and line', (t) => {
    const { access, denyFile, log } = setup(t);
    writeFileSync(denyFile, 'midge: evil.example.com\n');
    assert.equal(access.allows('10.0.0.1', '127.0.0.1'), true);
    assert.match(
      log.lines[0]!,
      /hosts\.deny:1: "evil\.example\.com" needs a name lookup/,
    );
  });
});
