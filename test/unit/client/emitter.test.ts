/** The typed emitter: on/once/off, and 'error' without a listener. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TypedEmitter } from '../../../src/client/emitter.js';

interface Events {
  tick: (n: number) => void;
  error: (e: Error) => void;
}

class Ticker extends TypedEmitter<Events> {
  fire<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    this.emit(event, ...args);
  }
}

test('emitter - on, once and off, in order of registration', () => {
  const ticker = new Ticker();
  const seen: string[] = [];
  const a = (n: number) => seen.push(`a${n}`);
  const b = (n: number) => seen.push(`b${n}`);
  ticker.on('tick', a).once('tick', b);
  ticker.fire('tick', 1);
  ticker.fire('tick', 2);
  ticker.off('tick', a);
  ticker.fire('tick', 3);
  assert.deepEqual(seen, ['a1', 'b1', 'a2']);
  const c = (n: number) => seen.push(`c${n}`);
  ticker.once('tick', c);
  ticker.off('tick', c);
  ticker.fire('tick', 4);
  assert.equal(ticker.listenerCount('tick'), 0);
  assert.deepEqual(seen, ['a1', 'b1', 'a2']);
});

test('emitter - an error event without listener is dropped, not thrown', () => {
  const ticker = new Ticker();
  assert.doesNotThrow(() => ticker.fire('error', new Error('nobody listens')));
});
