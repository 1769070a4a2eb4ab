/**
 * The bridge's log wording, compared with lines Debian's mosquitto 2.0.11
 * wrote in the same situations (observed).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  failureReason,
  refusalLine,
  refusesBridgeBit,
} from '../../../src/bridge/connect-failures.js';
import { receivedLine, sentLine } from '../../../src/bridge/packet-log.js';
import { TransportError } from '../../../src/client/index.js';
import {
  ConnectReturnCode,
  PacketType,
  ReasonCode,
} from '../../../src/protocol/index.js';

const L = 'local.vm.br1';
const R = 'vm.br1';

describe('bridge log lines', () => {
  test('packets sent', () => {
    const sub = {
      type: PacketType.Subscribe as const,
      packetId: 2,
      subscriptions: [
        {
          topicFilter: 'rem/sensors/#',
          qos: 1 as const,
          noLocal: true,
          retainAsPublished: true,
          retainHandling: 0 as const,
        },
      ],
    };
    assert.equal(
      sentLine(sub, L, R),
      'Bridge local.vm.br1 sending SUBSCRIBE (Mid: 2, Topic: rem/sensors/#, QoS: 1, Options: 0x0c)',
    );
    assert.equal(
      sentLine(
        { type: PacketType.Unsubscribe, packetId: 4, topicFilters: ['remote/single'] },
        L,
        R,
      ),
      'Bridge local.vm.br1 sending UNSUBSCRIBE (Mid: 4, Topic: remote/single)',
    );
    const publish = {
      type: PacketType.Publish as const,
      dup: false,
      qos: 2 as const,
      retain: false,
      topic: 'q/out',
      packetId: 3,
      payload: Buffer.from('y'),
    };
    assert.equal(
      sentLine(publish, L, R),
      "Sending PUBLISH to local.vm.br1 (d0, q2, r0, m3, 'q/out', ... (1 bytes))",
    );
    assert.equal(
      sentLine({ type: PacketType.Pubrec, packetId: 1 }, L, R),
      'Sending PUBREC to local.vm.br1 (m1, rc0)',
    );
    assert.equal(
      sentLine({ type: PacketType.Pubrel, packetId: 3 }, L, R),
      'Sending PUBREL to local.vm.br1 (m3)',
    );
    assert.equal(
      sentLine({ type: PacketType.Pingreq }, L, R),
      'Sending PINGREQ to local.vm.br1',
    );
  });

  test('packets received', () => {
    assert.equal(
      receivedLine({ type: PacketType.Connack, sessionPresent: false, reasonCode: 0 }, L),
      'Received CONNACK on connection local.vm.br1.',
    );
    assert.equal(
      receivedLine({ type: PacketType.Puback, packetId: 1 }, L),
      'Received PUBACK from local.vm.br1 (Mid: 1, RC:0)',
    );
    assert.equal(
      receivedLine({ type: PacketType.Pubrel, packetId: 1 }, L),
      'Received PUBREL from local.vm.br1 (Mid: 1)',
    );
    assert.equal(
      receivedLine({ type: PacketType.Suback, packetId: 2, reasonCodes: [1] }, L),
      'Received SUBACK from local.vm.br1',
    );
  });

  test('refused connections, worded per protocol version', () => {
    assert.equal(
      refusalLine(ConnectReturnCode.NotAuthorized, 4),
      'Connection Refused: not authorised',
    );
    assert.equal(
      refusalLine(ReasonCode.NotAuthorized, 5),
      'Connection Refused: Not authorized',
    );
    assert.equal(refusalLine(0x77, 4), 'Connection Refused: unknown reason');
    assert.equal(
      refusesBridgeBit(ConnectReturnCode.UnacceptableProtocolVersion, 4),
      true,
    );
    assert.equal(refusesBridgeBit(ReasonCode.UnsupportedProtocolVersion, 5), false);
  });

  test('system errors in the words of strerror()', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), {
      code: 'ECONNREFUSED',
    });
    const error = new TransportError('CONNECT_FAILED', 'cannot connect', {
      cause: refused,
    });
    assert.equal(failureReason(error), 'Connection refused');
    assert.equal(failureReason(new Error('odd')), 'odd');
  });
});
