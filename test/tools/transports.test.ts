/**
 * The tools over TLS (CA file, client certificate, --insecure), TLS-PSK,
 * WebSockets (--ws, -L ws://; Mosquitto 2.1 options, so midge alone) and
 * a Unix socket, next to Mosquitto's tools where they have the option.
 * Certificates are made with openssl for this run (test/helpers/certs.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { freePort } from '../helpers/broker.js';
import { makeCerts } from '../helpers/certs.js';
import { fileBroker, type Impl, run, type Tool } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'midge-tools-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string) => join(dir, name);

const certs = makeCerts();
after(() => certs.remove());
writeFileSync(file('psk'), 'ident1:deadbeef\n');

const ports = { tls: 0, certs: 0, psk: 0, ws: 0 };
for (const key of Object.keys(ports) as Array<keyof typeof ports>)
  ports[key] = await freePort();
const socket = file('mqtt.sock');
const tlsFiles = [
  `cafile ${certs.caFile}`,
  `certfile ${certs.serverCertFile}`,
  `keyfile ${certs.serverKeyFile}`,
].join('\n');
const open = 'allow_anonymous true';

// `user root` keeps a root-started broker able to read the keys in this folder.
const broker = fileBroker(
  [
    `listener ${ports.tls} 127.0.0.1\nallow_anonymous true\n${tlsFiles}`,
    `listener ${ports.certs} 127.0.0.1\n${open}\n${tlsFiles}\nrequire_certificate true`,
    `listener ${ports.psk} 127.0.0.1\n${open}\npsk_hint hint\npsk_file ${file('psk')}`,
    `listener ${ports.ws} 127.0.0.1\nallow_anonymous true\nprotocol websockets`,
    `listener 0 ${socket}\nallow_anonymous true`,
  ].join('\n'),
  'user root\nper_listener_settings true',
);

async function both(tool: Tool, args: string[]) {
  return Promise.all(
    (['mosquitto', 'midge'] as Impl[]).map((impl) => run(impl, tool, args)),
  );
}

function assertSame(results: Awaited<ReturnType<typeof both>>, what: string) {
  const [m, g] = results;
  assert.deepEqual([g!.code, g!.stderr], [m!.code, m!.stderr], what);
}

/**
 * A refused TLS handshake. Mosquitto's words for it vary from run to run
 * (libmosquitto meets the failure either while connecting or later in its
 * loop, by timing), so both tools must end with one of these.
 */
const handshakeFailures = [
  '1 Unable to connect (A TLS error occurred.).\n',
  '8 Error: A TLS error occurred.\n',
  '7 Error: The connection was lost.\n',
  '1 Error: Protocol error\n',
  '1 Error: Connection reset by peer\n',
];

function assertRefused(results: Awaited<ReturnType<typeof both>>, what: string) {
  for (const r of results) {
    const outcome = `${r.code} ${r.stderr}`;
    assert.ok(handshakeFailures.includes(outcome), `${what}: ${outcome}`);
  }
}

describe('TLS, PSK, WebSockets and Unix sockets', () => {
  const pub = ['-t', 'tls', '-m', 'x'];
  const ca = () => ['--cafile', certs.caFile];

  test('TLS with --cafile, --insecure and a client certificate', async () => {
    const client = ['--cert', certs.clientCertFile, '--key', certs.clientKeyFile];
    const sets: Array<[string, string[]]> = [
      ['by name', ['-h', 'localhost', '-p', `${ports.tls}`, ...ca(), ...pub]],
      ['by address', ['-h', '127.0.0.1', '-p', `${ports.tls}`, ...ca(), ...pub]],
      [
        '--insecure',
        ['-h', '127.0.0.1', '-p', `${ports.tls}`, ...ca(), '--insecure', ...pub],
      ],
      [
        'client cert',
        ['-h', 'localhost', '-p', `${ports.certs}`, ...ca(), ...client, ...pub],
      ],
    ];
    for (const [what, args] of sets) {
      const results = await both('pub', args);
      assertSame(results, what);
      assert.equal(results[1]!.code, 0, `${what}: ${results[1]!.stderr}`);
    }
  });

  test('TLS refused: untrusted server, missing client certificate', async () => {
    const untrusted = [
      '-h',
      'localhost',
      '-p',
      `${ports.tls}`,
      '--tls-use-os-certs',
      ...pub,
    ];
    assertRefused(await both('pub', untrusted), 'untrusted');
    const noCert = ['-h', 'localhost', '-p', `${ports.certs}`, ...ca(), ...pub];
    assertRefused(await both('pub', noCert), 'no client certificate');
  });

  test('TLS-PSK: right and wrong key', async () => {
    const base = ['-h', '127.0.0.1', '-p', `${ports.psk}`, '-t', 'psk', '-m', 'x'];
    const good = await both('pub', [
      ...base,
      '--psk',
      'deadbeef',
      '--psk-identity',
      'ident1',
    ]);
    assertSame(good, 'good key');
    assert.equal(good[1]!.code, 0);
    const bad = await both('pub', [
      ...base,
      '--psk',
      'deadbeee',
      '--psk-identity',
      'ident1',
    ]);
    assertRefused(bad, 'bad key');
  });

  test('a Unix socket with --unix', async () => {
    const result = await both('pub', ['--unix', socket, '-t', 'unix', '-m', 'x']);
    assertSame(result, '--unix');
    assert.equal(result[1]!.code, 0);
  });

  test('WebSockets: --ws and -L ws:// (midge only: Mosquitto 2.1 options)', async () => {
    const ws = await run('midge', 'pub', [
      '-h',
      '127.0.0.1',
      '-p',
      `${ports.ws}`,
      '--ws',
      '-t',
      'w',
      '-m',
      'x',
    ]);
    assert.deepEqual([ws.code, ws.stderr], [0, '']);
    const url = await run('midge', 'pub', [
      '-L',
      `ws://127.0.0.1:${ports.ws}/w`,
      '-m',
      'x',
    ]);
    assert.deepEqual([url.code, url.stderr], [0, '']);
    const received = broker
      .log()
      .match(/Received PUBLISH from \S+ \(d0, q0, r0, m0, 'w'/g);
    assert.equal(received?.length, 2);
  });
});

/**
 * A minimal SOCKS5 proxy (RFC 1928, username/password of RFC 1929) that
 * only forwards to 127.0.0.1, and records the user names it was given.
 */
async function socksProxy(users: string[]): Promise<{ port: number; close(): void }> {
  const server = createServer((client) => {
    client.once('data', (hello) => {
      const wantsAuth = [...hello.subarray(2)].includes(2);
      client.write(Buffer.from([5, wantsAuth ? 2 : 0]));
      if (wantsAuth) client.once('data', (auth) => authenticate(client, auth));
      else client.once('data', (request) => forward(client, request));
    });
  });
  function authenticate(client: Socket, auth: Buffer): void {
    const userLength = auth[1]!;
    users.push(auth.subarray(2, 2 + userLength).toString());
    client.write(Buffer.from([1, 0]));
    client.once('data', (request) => forward(client, request));
  }
  function forward(client: Socket, request: Buffer): void {
    const port = request.readUInt16BE(request.length - 2);
    const upstream = netConnect({ host: '127.0.0.1', port }, () => {
      client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, port >> 8, port & 255]));
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { port, close: () => server.close() };
}

describe('--proxy', () => {
  test('through a SOCKS5 proxy, with and without a user name', async () => {
    const users: string[] = [];
    const proxy = await socksProxy(users);
    after(() => proxy.close());
    for (const auth of ['', 'me:secret@']) {
      const args = [
        ...['-h', 'localhost', '-p', `${broker.port}`, '-t', 'proxied', '-m', 'x'],
        ...['--proxy', `socks5h://${auth}127.0.0.1:${proxy.port}`],
      ];
      const results = await both('pub', args);
      assertSame(results, `proxy ${auth}`);
      assert.equal(results[1]!.code, 0, results[1]!.stderr);
    }
    assert.deepEqual(users, ['me', 'me']);
  });
});
