/** Where the database goes: never over Mosquitto's own mosquitto.db. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { persistencePaths } from '../../../src/persistence/location.js';

const paths = (persistenceFile: string, persistenceLocation: string | null) =>
  persistencePaths({ persistenceFile, persistenceLocation }, '/run/here');

test('location - the default mosquitto.db name becomes midge.db, next to it', () => {
  assert.deepEqual(paths('mosquitto.db', '/var/lib/mosquitto/'), {
    file: '/var/lib/mosquitto/midge.db',
    mosquittoFile: '/var/lib/mosquitto/mosquitto.db',
  });
});

test('location - another name is used as given; no folder means the working one', () => {
  assert.deepEqual(paths('broker.db', null), {
    file: '/run/here/broker.db',
    mosquittoFile: '/run/here/broker.db',
  });
  assert.equal(paths('state/b.db', 'rel').file, '/run/here/rel/state/b.db');
});
