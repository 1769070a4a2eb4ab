/** persistence_durability: midge's own option, in the Persistence section. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src/config/index.js';

test('config - persistence_durability defaults to normal and takes full', () => {
  assert.equal(parseConfig('', 'a.conf').persistenceDurability, 'normal');
  const c = parseConfig('persistence true\npersistence_durability full\n', 'a.conf');
  assert.equal(c.persistenceDurability, 'full');
  assert.equal(c.sourceOf('persistence_durability')?.line, 2);
});

test('config - persistence_durability refuses other words, with file and line', () => {
  assert.throws(
    () => parseConfig('\npersistence_durability sometimes\n', 'b.conf'),
    (e: unknown) => e instanceof ConfigError && e.line === 2 && e.file === 'b.conf',
  );
});
