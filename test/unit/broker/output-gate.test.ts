/**
 * The persistence layer's output gate wraps every transport; flow control
 * must still see which of them can stop reading (a bridge's in-process
 * link cannot), or it would hold a link's input back in memory.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryPair } from '../../../src/broker/index.js';
import { OutputGate } from '../../../src/broker/state-observer.js';
import type { Transport } from '../../../src/broker/transport.js';

test('a gated transport can pause only when what it wraps can', () => {
  const gate = new OutputGate();
  const { transport } = createMemoryPair();
  assert.equal(gate.wrap(transport).pausable, true);
  const unpausable: Transport = {
    remoteAddress: '',
    remotePort: 0,
    bufferedBytes: 0,
    start() {},
    write() {},
    end() {},
    destroy() {},
  } as unknown as Transport;
  assert.equal(gate.wrap(unpausable).pausable, false);
});
