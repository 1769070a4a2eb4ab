/**
 * persistence - refusals: a database midge must not use stops start-up
 * (exit status 1) with a message saying why, and is left as it was:
 * corrupt, not SQLite, someone else's SQLite, from a newer midge, a
 * Mosquitto file where midge's should be, a folder that is missing or
 * cannot be written.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import { freePort } from '../helpers/broker.js';
import { newSite, type Site, startMidge } from './helpers.js';

/** Starts midge, expects it to stop with status 1 and `message`. */
async function refused(
  t: TestContext,
  site: Site,
  message: RegExp,
  persistence?: string,
) {
  const midge = await startMidge(t, site, { noWait: true, persistence });
  assert.equal(await midge.exited, 1, midge.output());
  assert.match(midge.output(), message);
}

test('persistence - refusals: a corrupt database is not replaced', async (t) => {
  const site = await newSite(t);
  const first = await startMidge(t, site);
  await first.stop();
  const file = join(site.data, 'midge.db');
  const bytes = readFileSync(file);
  // Keep the SQLite header, ruin the pages after it.
  bytes.fill(0x5a, 100);
  writeFileSync(file, bytes);
  await refused(
    t,
    site,
    /Error: .*midge\.db is corrupt \(.*\); midge will not replace it/,
  );
  assert.deepEqual(readFileSync(file), bytes);
});

test('persistence - refusals: a file that is not SQLite', async (t) => {
  const site = await newSite(t);
  writeFileSync(join(site.data, 'midge.db'), 'my notes\n');
  await refused(
    t,
    site,
    /midge\.db is not a midge database \(it is not an SQLite file\)/,
  );
  assert.equal(readFileSync(join(site.data, 'midge.db'), 'utf8'), 'my notes\n');
});

test("persistence - refusals: another program's SQLite database", async (t) => {
  const site = await newSite(t);
  const db = new Database(join(site.data, 'midge.db'));
  db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
  db.close();
  await refused(t, site, /midge\.db is an SQLite database but not midge's/);
});

test('persistence - refusals: a database from a newer midge', async (t) => {
  const site = await newSite(t);
  const first = await startMidge(t, site);
  await first.stop();
  const db = new Database(join(site.data, 'midge.db'));
  db.pragma('user_version = 99');
  db.close();
  await refused(
    t,
    site,
    /was written by a newer midge \(schema version 99; this midge reads up to version 2\)/,
  );
});

test('persistence - refusals: a Mosquitto database where midge keeps its own', async (t) => {
  const site = await newSite(t);
  const file = join(site.data, 'broker.db');
  const mosquitto = Buffer.concat([
    Buffer.from('00b5006d6f7371756974746f206462', 'hex'),
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 6]),
  ]);
  writeFileSync(file, mosquitto);
  await refused(
    t,
    site,
    /broker\.db is a Mosquitto database, not midge's; midge keeps its own SQLite database and will not write over it/,
    `persistence true\npersistence_location ${site.data}\npersistence_file broker.db\n`,
  );
  assert.deepEqual(readFileSync(file), mosquitto);
});

test('persistence - refusals: a missing or unwritable folder', async (t) => {
  const site = await newSite(t);
  await refused(
    t,
    site,
    /Unable to open persistence file .*nowhere\/midge\.db: the folder .*nowhere does not exist/,
    `persistence true\npersistence_location ${site.dir}/nowhere\n`,
  );
  // Even root may not create files in /sys.
  await refused(
    t,
    site,
    /Unable to write persistence file \/sys\/kernel\/midge\.db: .*permission denied/,
    'persistence true\npersistence_location /sys/kernel\n',
  );
});

test('persistence - refusals: a second midge on the same database', async (t) => {
  const site = await newSite(t);
  const first = await startMidge(t, site);
  const other = { ...site, port: await freePort() };
  await refused(t, other, /midge\.db is in use by another program/);
  // The first broker is unharmed.
  assert.equal(first.process.exitCode, null);
  assert.equal(await first.stop(), 0);
});
