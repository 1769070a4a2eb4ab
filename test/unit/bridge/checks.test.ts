import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BridgeManager, bridgeErrors, checkBridge } from '../../../src/bridge/index.js';
import { Broker } from '../../../src/broker/index.js';
import { tcpSocketOptionsSupported } from '../../../src/client/index.js';
import { type BridgeConfig, parseConfig } from '../../../src/config/index.js';
import { type Logger, LogType } from '../../../src/log/log-types.js';

function bridge(lines: string, address = '127.0.0.1'): BridgeConfig {
  const text = `listener 1883\nconnection c\naddress ${address}\ntopic a\n${lines}\n`;
  return parseConfig(text, 'checks.conf').bridges[0]!;
}

describe('bridge setting checks', () => {
  test('a plain bridge passes', () => {
    assert.deepEqual(checkBridge(bridge('')), { errors: [], warnings: [] });
  });

  test('bridge_require_ocsp is accepted', () => {
    const config = bridge('bridge_cafile /ca.pem\nbridge_require_ocsp true');
    assert.deepEqual(bridgeErrors([config]), []);
  });

  test('an unknown TLS version is refused', () => {
    const { errors } = checkBridge(
      bridge('bridge_cafile /ca.pem\nbridge_tls_version tlsv9'),
    );
    assert.deepEqual(errors, ['unknown bridge_tls_version "tlsv9"']);
  });

  test('an SRV address must say whether it is secure', () => {
    const plainOnTls = checkBridge(
      bridge('bridge_cafile /ca.pem', '_mqtt._tcp.example.org'),
    );
    assert.deepEqual(plainOnTls.errors, [
      'address _mqtt._tcp.example.org should start with _secure-mqtt._tcp.',
    ]);
    assert.deepEqual(checkBridge(bridge('', '_mqtt._tcp.example.org')).errors, []);
  });

  test('TCP keepalive settings warn only where net-keepalive does not load', () => {
    const check = checkBridge(
      bridge('bridge_tcp_keepalive 10 5 3\nbridge_tcp_user_timeout 100'),
    );
    assert.deepEqual(check.errors, []);
    assert.equal(check.warnings.length, tcpSocketOptionsSupported() ? 0 : 2);
  });

  test('the manager logs a bridge it cannot start', async () => {
    const lines: string[] = [];
    const log: Logger = { mask: LogType.All, write: (_t, m) => lines.push(m) };
    const broker = new Broker();
    const bad = bridge('bridge_cafile /ca.pem\nbridge_tls_version tlsv9');
    const manager = new BridgeManager(broker, [bad], log);
    await manager.start();
    assert.equal(manager.bridges.size, 0);
    assert.ok(
      lines.includes(
        'Error: Unable to start bridge c: unknown bridge_tls_version "tlsv9".',
      ),
      lines.join('\n'),
    );
    await manager.stop();
    await broker.close();
  });
});
