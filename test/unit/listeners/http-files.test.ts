/**
 * http_dir: files inside the folder are served, nothing outside it is,
 * whatever the URL does (dot segments, encodings, backslashes, NULs,
 * symbolic links, hidden files).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { StaticFiles } from '../../../src/listeners/http-files.js';

let root: string;
let files: StaticFiles;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'midge-http-'));
  const www = join(root, 'www');
  mkdirSync(join(www, 'js'), { recursive: true });
  mkdirSync(join(www, 'empty'));
  writeFileSync(join(www, 'index.html'), '<h1>hi</h1>');
  writeFileSync(join(www, 'js', 'app.js'), 'app();');
  writeFileSync(join(www, '.env'), 'SECRET=1');
  writeFileSync(join(root, 'secret.txt'), 'outside');
  symlinkSync(join(root, 'secret.txt'), join(www, 'link-out.txt'));
  symlinkSync(join(www, 'js', 'app.js'), join(www, 'link-in.js'));
  files = new StaticFiles(www);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('http_dir', () => {
  test('serves files and index.html for folders', () => {
    assert.equal(files.resolve('/'), join(root, 'www', 'index.html'));
    assert.equal(files.resolve('/js/app.js?v=2#x'), join(root, 'www', 'js', 'app.js'));
    assert.equal(files.resolve('/js%2Fapp.js'), join(root, 'www', 'js', 'app.js'));
    assert.equal(files.resolve('/link-in.js'), join(root, 'www', 'js', 'app.js'));
  });

  test('a folder without index.html and a missing file are not found', () => {
    assert.equal(files.resolve('/empty/'), undefined);
    assert.equal(files.resolve('/nope.html'), undefined);
  });

  for (const url of [
    '/../secret.txt',
    '/js/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/js\\..\\..\\secret.txt',
    '/index.html%00.js',
    '/%252e%252e/secret.txt',
    '/link-out.txt',
    '/.env',
    '/%2eenv',
    `/${root}/secret.txt`,
    'secret.txt',
    '/%zz',
  ]) {
    test(`never serves ${url}`, () => {
      assert.equal(files.resolve(url), undefined);
    });
  }
});
