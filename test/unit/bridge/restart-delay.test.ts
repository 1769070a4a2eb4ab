import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestartDelay } from '../../../src/bridge/restart-delay.js';
import { parseConfig } from '../../../src/config/index.js';

function delay(line: string, random: () => number = Math.random): RestartDelay {
  const text = `listener 1883\nconnection b\naddress 127.0.0.1\ntopic a\n${line}\n`;
  return new RestartDelay(parseConfig(text, 'delay.conf').bridges[0]!, random);
}

describe('bridge restart delay', () => {
  test('one number is a constant delay', () => {
    const d = delay('restart_timeout 7');
    assert.equal(d.isBackoff, false);
    assert.deepEqual([d.next(null), d.next(null), d.next(60_000)], [7000, 7000, 7000]);
  });

  test('the default is a backoff from 5 to 30 seconds', () => {
    const d = delay('');
    assert.equal(d.isBackoff, true);
    for (let i = 0; i < 50; i++) {
      const ms = d.next(null);
      assert.ok(ms >= 5000 && ms <= 30_000, `${ms} out of 5..30 s`);
    }
  });

  test('each draw lies between the base and three times the last delay', () => {
    const highest = delay('restart_timeout 2 100', () => 0.999999);
    assert.deepEqual(
      [highest.next(null), highest.next(null), highest.next(null)],
      [5999, 17_996, 53_987],
    );
    const lowest = delay('restart_timeout 2 100', () => 0);
    assert.deepEqual([lowest.next(null), lowest.next(null)], [2000, 2000]);
  });

  test('the cap is never passed', () => {
    const d = delay('restart_timeout 2 10', () => 0.999999);
    d.next(null);
    d.next(null);
    assert.equal(d.next(null), 10_000);
  });

  test('a connection up long enough starts the backoff again (2.1 stable)', () => {
    const d = delay('restart_timeout 2 100 30', () => 0.999999);
    d.next(null);
    d.next(null);
    assert.equal(d.next(10_000), 53_987, 'up 10 s: not stable, keeps growing');
    assert.equal(d.next(30_000), 2000, 'up 30 s: back to the base');
  });

  test('without a stable period any connection resets the backoff', () => {
    const d = delay('restart_timeout 2 100', () => 0.999999);
    d.next(null);
    assert.equal(d.next(0), 2000);
  });
});
