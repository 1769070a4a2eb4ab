/**
 * When midge_sub stops and what it lets through, next to mosquitto_sub:
 * -C, -E, -W, -R, --retained-only, --remove-retained, -U, -c sessions and
 * SIGINT. Each test gives both tools the same options and messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileBroker, type Impl, type RunResult, run, start } from './helpers.js';

const broker = fileBroker();
const host = () => ['-h', '127.0.0.1', '-p', `${broker.port}`];
const impls: Impl[] = ['mosquitto', 'midge'];

let runs = 0;

async function pub(...args: string[]) {
  const result = await run('mosquitto', 'pub', [...host(), ...args]);
  assert.equal(result.code, 0, result.stderr);
}

/**
 * Starts both subscribers on `topic` with `args`, waits for their SUBACKs,
 * runs `publish`, and returns both results.
 */
async function bothSubs(
  args: string[],
  publish: () => Promise<void>,
  ms = 6000,
): Promise<[RunResult, RunResult]> {
  runs++;
  const subs = impls.map((impl) => {
    const id = `beh-${runs}-${impl}`;
    return { id, sub: start(impl, 'sub', [...host(), '-i', id, ...args], { ms }) };
  });
  for (const { id } of subs)
    await broker.waitForLog(new RegExp(`Sending SUBACK to ${id}`));
  await publish();
  const [m, g] = await Promise.all(subs.map((s) => s.sub.done));
  return [m!, g!];
}

function assertSame([m, g]: [RunResult, RunResult], what: string): void {
  assert.deepEqual(
    [g.code, g.stdout.toString(), g.stderr],
    [m.code, m.stdout.toString(), m.stderr],
    what,
  );
}

describe('midge_sub stops and filters as mosquitto_sub does', () => {
  test('-C counts empty payloads too; -E exits after SUBACK', async () => {
    const t = `beh/c${runs}`;
    const r = await bothSubs(['-t', t, '-C', '3', '-v'], async () => {
      await pub('-t', t, '-m', 'a');
      await pub('-t', t, '-n');
      await pub('-t', t, '-m', 'c');
      await pub('-t', t, '-m', 'not printed');
    });
    assertSame(r, '-C 3');
    assertSame(await bothSubs(['-t', 'beh/e', '-E'], async () => {}), '-E');
  });

  test('-R and --retained-only with a retained message, in 3.1.1 and 5', async () => {
    for (const version of ['311', '5']) {
      const t = `beh/r${runs}/${version}`;
      await pub('-t', `${t}/old`, '-m', 'stale', '-r');
      const fresh = () => pub('-t', `${t}/new`, '-m', 'fresh');
      assertSame(
        await bothSubs(['-t', `${t}/#`, '-R', '-C', '1', '-v', '-V', version], fresh),
        `-R ${version}`,
      );
      assertSame(
        await bothSubs(['-t', `${t}/#`, '--retained-only', '-v', '-V', version], fresh),
        `--retained-only ${version}`,
      );
      await pub('-t', `${t}/old`, '-n', '-r');
    }
  });

  test('--remove-retained clears what it prints; -T topics are left', async () => {
    const t = `beh/rm${runs}`;
    await pub('-t', `${t}/a`, '-m', 'one', '-r');
    await pub('-t', `${t}/b`, '-m', 'two', '-r');
    const sub = start('midge', 'sub', [
      ...host(),
      ...['-t', `${t}/#`, '-T', `${t}/b`, '--remove-retained', '-W', '1', '-v'],
    ]);
    const first = await sub.done;
    // The empty retained message comes back (not retained) to the subscriber
    // that sent it, as with mosquitto_sub.
    assert.equal(first.stdout.toString(), `${t}/a one\n${t}/a (null)\n`);
    const after = await run('mosquitto', 'sub', [
      ...host(),
      '-t',
      `${t}/#`,
      '-W',
      '1',
      '-v',
    ]);
    assert.equal(
      after.stdout.toString(),
      `${t}/b two\n`,
      'only the -T topic is still retained',
    );
    await pub('-t', `${t}/b`, '-n', '-r');
  });

  test('-U unsubscribes after subscribing; -W times out with 27', async () => {
    const t = `beh/u${runs}`;
    const r = await bothSubs(['-t', `${t}/#`, '-U', `${t}/#`, '-W', '1', '-v'], () =>
      pub('-t', `${t}/x`, '-m', 'gone'),
    );
    assertSame(r, '-U');
    assert.equal(r[1].code, 27);
  });

  test('-d: the same packet trace, messages printed after their acknowledgement', async () => {
    const t = `beh/d${runs}`;
    const r = await bothSubs(
      ['-t', t, '-t', `${t}/x`, '-d', '-q', '2', '-C', '2'],
      async () => {
        await pub('-t', t, '-m', 'one', '-q', '1');
        await pub('-t', t, '-m', 'two', '-q', '2');
      },
    );
    // The client ids differ (beh-N-mosquitto, beh-N-midge); the rest must not.
    const [m, g] = r.map((x) => x.stdout.toString().replace(/beh-\d+-\w+/g, 'ID'));
    assert.equal(g, m);
    assert.match(g!, /sending PUBACK \(m1, rc0\)\none\n/);
  });

  test('-d with -C and -E: nothing traced after the DISCONNECT', async () => {
    const t = `beh/dc${runs}`;
    for (const n of [1, 2, 3]) await pub('-t', `${t}/${n}`, '-m', `${n}`, '-r');
    // The retained messages and the UNSUBACKs follow what ends the run.
    const cases = [
      ['-t', `${t}/#`, '-C', '1', '-q', '1'],
      ['-t', `${t}/#`, '-U', 'beh/none', '-U', 'beh/none2', '-E'],
    ];
    for (const args of cases) {
      const outs = await Promise.all(
        impls.map((impl) =>
          run(impl, 'sub', [...host(), '-i', `dc-${impl}`, '-d', ...args]),
        ),
      );
      const [m, g] = outs.map((x) => x.stdout.toString().replace(/dc-\w+/g, 'ID'));
      assert.match(m!, /sending DISCONNECT\n$/, args.join(' '));
      assert.equal(g, m, args.join(' '));
    }
    for (const n of [1, 2, 3]) await pub('-t', `${t}/${n}`, '-n', '-r');
  });

  test('SIGINT after CONNACK: clean exit 0', async () => {
    const sub = start('midge', 'sub', [...host(), '-i', 'beh-int', '-t', 'beh/int']);
    await broker.waitForLog(/Sending SUBACK to beh-int/);
    sub.child.kill('SIGINT');
    const result = await sub.done;
    assert.deepEqual([result.code, result.stderr], [0, '']);
  });

  test('-c -i: a persistent session keeps QoS 1 messages while away', async () => {
    const t = `beh/s${runs}`;
    for (const impl of impls) {
      const id = `beh-session-${impl}`;
      const args = [...host(), '-c', '-i', id, '-q', '1', '-t', t, '-v'];
      const first = await run(impl, 'sub', [...args, '-E']);
      assert.equal(first.code, 0, first.stderr);
      await pub('-t', t, '-m', `queued for ${impl}`, '-q', '1');
      const second = await run(impl, 'sub', [...args, '-C', '1']);
      assert.equal(second.stdout.toString(), `${t} queued for ${impl}\n`, impl);
    }
  });
});
