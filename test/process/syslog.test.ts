/**
 * log_dest syslog: records reach a syslog socket with the right priority
 * and tag. The test listens on its own Unix datagram socket (Python, since
 * Node has no Unix datagram sockets) instead of the host's /dev/log.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBroker } from '../helpers/broker.js';
import { until } from '../helpers/wait.js';

const receiver = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], 'a') as out:
    print('ready', flush=True)
    while True:
        out.write(s.recv(65536).decode('utf-8', 'replace') + '\\n')
        out.flush()
`;

test('log_dest syslog with log_facility 5 sends local5 records tagged midge', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-syslog-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, 'log.sock');
  const records = join(dir, 'records.txt');
  const python = spawn('python3', ['-c', receiver, socketPath, records]);
  t.after(() => python.kill());
  await new Promise((resolve) => python.stdout.once('data', resolve));

  process.env.MIDGE_SYSLOG_SOCKET = socketPath;
  t.after(() => {
    delete process.env.MIDGE_SYSLOG_SOCKET;
  });
  const broker = await startBroker({ config: 'log_dest syslog\nlog_facility 5' });
  t.after(() => broker.stop());
  await until(
    () => existsSync(records) && readFileSync(records, 'utf8').includes('running'),
  );
  // local5 = 21; notice = 5: priority 21 * 8 + 5 = 173.
  assert.match(
    readFileSync(records, 'utf8'),
    /^<173>.*midge(\[\d+\])?: midge version \S+ running$/m,
  );
});
