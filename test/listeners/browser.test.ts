/**
 * A real browser against the built midge: Chromium (Debian's, driven by
 * playwright-core) loads a page from the websockets listener's http_dir,
 * and the page's MQTT.js connects back over ws with the browser's own
 * Origin header, subscribes, publishes and shows what came back.
 *
 * Skipped, saying why, when /usr/bin/chromium or playwright-core is not
 * installed (.ci/run must install the `chromium` package and package.json
 * list `playwright-core` as a devDependency for it to run).
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, type TestContext, test } from 'node:test';
import { freePort } from '../helpers/broker.js';
import { makeCerts, startListening } from './support.js';

let made: ReturnType<typeof makeCerts> | undefined;
const certs = () => {
  made ??= makeCerts();
  return made;
};
after(() => {
  if (made) rmSync(made.dir, { recursive: true, force: true });
});

const CHROMIUM = '/usr/bin/chromium';

interface Playwright {
  chromium: {
    launch(options: { executablePath: string; args?: string[] }): Promise<Browser>;
  };
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Page {
  goto(url: string): Promise<unknown>;
  waitForFunction(
    fn: string,
    arg?: unknown,
    options?: { timeout: number },
  ): Promise<unknown>;
  title(): Promise<string>;
}

async function loadPlaywright(): Promise<Playwright | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (Debian package chromium)`;
  const name = 'playwright-core';
  try {
    return (await import(name)) as Playwright;
  } catch {
    return 'playwright-core is not installed (devDependency)';
  }
}

const PAGE = `<!doctype html>
<title>waiting</title>
<script src="mqtt.min.js"></script>
<script>
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const client = mqtt.connect(scheme + location.host, { clientId: 'browser-1' });
  client.on('connect', () => {
    const echo = () => client.publish('browser/echo', 'from the page');
    client.subscribe('browser/echo', echo);
  });
  client.on('message', (topic, payload) => { document.title = 'got: ' + payload; });
  client.on('error', (e) => { document.title = 'error: ' + e.message; });
</script>
`;

const playwright = await loadPlaywright();

for (const secure of [false, true]) {
  const scheme = secure ? 'wss' : 'ws';
  test(`a browser page served from http_dir talks MQTT over ${scheme}`, {
    skip: typeof playwright === 'string' ? playwright : false,
  }, async (t) => {
    await browserRoundTrip(t, secure);
  });
}

async function browserRoundTrip(t: TestContext, secure: boolean): Promise<void> {
  const pw = playwright as Playwright;
  const www = mkdtempSync(join(tmpdir(), 'midge-www-'));
  t.after(() => rmSync(www, { recursive: true, force: true }));
  const mqttMain = createRequire(import.meta.url).resolve('mqtt');
  // MQTT.js's browser bundle lies beside its Node build.
  const bundle = join(dirname(mqttMain), '..', 'dist', 'mqtt.min.js');
  copyFileSync(bundle, join(www, 'mqtt.min.js'));
  writeFileSync(join(www, 'index.html'), PAGE);
  const wsPort = await freePort();
  const origin = `${secure ? 'https' : 'http'}://127.0.0.1:${wsPort}`;
  // wss: the server certificate for 127.0.0.1 from the test CA, which the
  // browser is told to accept (it has no way to trust the test CA).
  const tls = secure
    ? `certfile ${certs().server.cert}\nkeyfile ${certs().server.key}\n`
    : '';
  const broker = await startListening({
    rawConfig: (port) =>
      `log_type all\nallow_anonymous true\nlistener ${port} 127.0.0.1\n` +
      `listener ${wsPort} 127.0.0.1\nprotocol websockets\nhttp_dir ${www}\n` +
      `websockets_origin ${origin}\n${tls}`,
  });
  t.after(() => broker.stop());
  const browser = await pw.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', ...(secure ? ['--ignore-certificate-errors'] : [])],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction("document.title !== 'waiting'", undefined, {
    timeout: 10000,
  });
  assert.equal(await page.title(), 'got: from the page');
  await broker.waitForOutput(/New client connected from 127\.0\.0\.1:\d+ as browser-1 /);
}
