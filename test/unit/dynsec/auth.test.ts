import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harness } from './helpers.js';

const pw = (s: string) => Buffer.from(s);

describe('dynsec auth - basic authentication', () => {
  test('auth - password right and wrong', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: 'secret' });
    assert.equal(await h.ds.authenticate('u', pw('secret'), 'c'), 'allow');
    assert.equal(await h.ds.authenticate('u', pw('Secret'), 'c'), 'deny');
    assert.equal(await h.ds.authenticate('u', pw(''), 'c'), 'deny');
  });

  test('auth - not ours: no username, no password, unknown user, no hash', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'nopw' });
    assert.equal(await h.ds.authenticate(undefined, undefined, 'c'), 'defer');
    assert.equal(await h.ds.authenticate('nopw', undefined, 'c'), 'defer');
    assert.equal(await h.ds.authenticate('nobody', pw('x'), 'c'), 'defer');
    assert.equal(await h.ds.authenticate('nopw', pw('x'), 'c'), 'defer');
  });

  test('auth - disabled client and client id binding', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: 'p', clientid: 'dev-1' });
    assert.equal(await h.ds.authenticate('u', pw('p'), 'dev-1'), 'allow');
    assert.equal(await h.ds.authenticate('u', pw('p'), 'dev-2'), 'deny');
    h.ok({ command: 'disableClient', username: 'u' });
    assert.equal(await h.ds.authenticate('u', pw('p'), 'dev-1'), 'deny');
    h.ok({ command: 'enableClient', username: 'u' });
    h.ok({ command: 'setClientId', username: 'u' });
    assert.equal(await h.ds.authenticate('u', pw('p'), 'anything'), 'allow');
  });

  test('auth - an empty password set at creation', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: '' });
    assert.equal(await h.ds.authenticate('u', pw(''), 'c'), 'allow');
  });

  test('auth - a password is what comes before its first NUL, as in C', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: 'ab' });
    assert.equal(await h.ds.authenticate('u', Buffer.from('ab\0cd'), 'c'), 'allow');
  });

  test('auth - setClientPassword takes effect at once', async (t) => {
    const h = harness(t);
    h.ok({ command: 'createClient', username: 'u', password: 'old' });
    h.ok({ command: 'setClientPassword', username: 'u', password: 'new' });
    assert.equal(await h.ds.authenticate('u', pw('old'), 'c'), 'deny');
    assert.equal(await h.ds.authenticate('u', pw('new'), 'c'), 'allow');
  });
});
