/**
 * Golden byte vectors for MQTT 5.0, one field per line, checked both ways.
 * Properties are listed in the packet object in wire order, since the
 * encoder writes them in key order.
 */
import { PacketType, ReasonCode } from '../../../src/protocol/index.js';
import { runVectors, str, type Vector } from './helpers.js';

const b = (s: string) => Buffer.from(s);

const vectors: Vector[] = [
  {
    name: '5.0 CONNECT, no properties',
    version: 5,
    bytes: [
      '10 11', //          CONNECT, remaining length 17
      '0004 4d515454', //  protocol name 'MQTT'
      '05', //             protocol level 5
      '02', //             flags: clean start
      '003c', //           keep alive 60 s
      '00', //             property length 0
      '0004 74657374', //  client id 'test'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      bridge: false,
      clean: true,
      keepAlive: 60,
      clientId: 'test',
    },
  },
  {
    name: '5.0 CONNECT with every CONNECT and will property',
    version: 5,
    bytes: [
      '10 5a', //                CONNECT, remaining length 90
      '0004 4d515454', //        protocol name 'MQTT'
      '05', //                   protocol level 5
      'd6', //                   flags: username, password, will QoS 2, will, clean start
      '001e', //                 keep alive 30 s
      '23', //                   property length 35
      '11 00000078', //          session expiry interval 120
      '21 0014', //              receive maximum 20
      '27 00000400', //          maximum packet size 1024
      '22 000a', //              topic alias maximum 10
      '19 01', //                request response information 1
      '17 00', //                request problem information 0
      '26 0001 6b 0001 76', //   user property k=v
      '15 0001 6d', //           authentication method 'm'
      '16 0001 64', //           authentication data 'd'
      '0002 6331', //            client id 'c1'
      '1b', //                   will property length 27
      '18 00000005', //          will delay interval 5
      '01 01', //                payload format indicator 1 (UTF-8)
      '02 0000003c', //          message expiry interval 60
      `03 0004 ${str('text')}`, // content type 'text'
      '08 0001 72', //           response topic 'r'
      '09 0001 63', //           correlation data 'c'
      '0001 77', //              will topic 'w'
      '0001 78', //              will payload 'x'
      '0001 75', //              username 'u'
      '0001 70', //              password 'p'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      bridge: false,
      clean: true,
      keepAlive: 30,
      clientId: 'c1',
      properties: {
        sessionExpiryInterval: 120,
        receiveMaximum: 20,
        maximumPacketSize: 1024,
        topicAliasMaximum: 10,
        requestResponseInformation: 1,
        requestProblemInformation: 0,
        userProperties: [['k', 'v']],
        authenticationMethod: 'm',
        authenticationData: b('d'),
      },
      will: {
        topic: 'w',
        payload: b('x'),
        qos: 2,
        retain: false,
        properties: {
          willDelayInterval: 5,
          payloadFormatIndicator: 1,
          messageExpiryInterval: 60,
          contentType: 'text',
          responseTopic: 'r',
          correlationData: b('c'),
        },
      },
      username: 'u',
      password: b('p'),
    },
  },
  {
    name: '5.0 CONNECT with a password and no username (allowed in 5.0)',
    version: 5,
    bytes: [
      '10 15', //          CONNECT, remaining length 21
      '0004 4d515454', //  protocol name 'MQTT'
      '05', //             protocol level 5
      '42', //             flags: password, clean start
      '003c', //           keep alive 60 s
      '00', //             property length 0
      '0004 74657374', //  client id 'test'
      '0002 7077', //      password 'pw'
    ],
    packet: {
      type: PacketType.Connect,
      protocolName: 'MQTT',
      protocolVersion: 5,
      bridge: false,
      clean: true,
      keepAlive: 60,
      clientId: 'test',
      password: b('pw'),
    },
  },
  {
    name: '5.0 CONNACK with every CONNACK property',
    version: 5,
    bytes: [
      '20 39', //                  CONNACK, remaining length 57
      '00', //                     no session present
      '00', //                     reason: success
      '36', //                     property length 54
      '22 000a', //                topic alias maximum 10
      `12 0006 ${str('auto-1')}`, // assigned client identifier 'auto-1'
      '21 0064', //                receive maximum 100
      '24 01', //                  maximum QoS 1
      '25 00', //                  retain available 0
      '27 000003e8', //            maximum packet size 1000
      '28 01', //                  wildcard subscription available
      '29 01', //                  subscription identifiers available
      '2a 00', //                  shared subscription not available
      '13 001e', //                server keep alive 30
      '1a 0002 7269', //           response information 'ri'
      '1c 0003 737276', //         server reference 'srv'
      '1f 0002 6f6b', //           reason string 'ok'
      '11 00000000', //            session expiry interval 0
    ],
    packet: {
      type: PacketType.Connack,
      sessionPresent: false,
      reasonCode: ReasonCode.Success,
      properties: {
        topicAliasMaximum: 10,
        assignedClientIdentifier: 'auto-1',
        receiveMaximum: 100,
        maximumQoS: 1,
        retainAvailable: 0,
        maximumPacketSize: 1000,
        wildcardSubscriptionAvailable: 1,
        subscriptionIdentifiersAvailable: 1,
        sharedSubscriptionAvailable: 0,
        serverKeepAlive: 30,
        responseInformation: 'ri',
        serverReference: 'srv',
        reasonString: 'ok',
        sessionExpiryInterval: 0,
      },
    },
  },
  {
    name: '5.0 CONNACK, session present, no properties',
    version: 5,
    bytes: [
      '20 03', // CONNACK, remaining length 3
      '01', //    session present
      '00', //    reason: success
      '00', //    property length 0
    ],
    packet: {
      type: PacketType.Connack,
      sessionPresent: true,
      reasonCode: ReasonCode.Success,
    },
  },
  {
    name: '5.0 CONNACK, unsupported protocol version',
    version: 5,
    bytes: [
      '20 03', // CONNACK, remaining length 3
      '00', //    no session
      '84', //    reason: unsupported protocol version
      '00', //    property length 0
    ],
    packet: {
      type: PacketType.Connack,
      sessionPresent: false,
      reasonCode: ReasonCode.UnsupportedProtocolVersion,
    },
  },
  {
    name: '5.0 PUBLISH QoS 0, no properties',
    version: 5,
    bytes: [
      '30 0b', //        PUBLISH, QoS 0, remaining length 11
      '0003 612f62', //  topic 'a/b'
      '00', //           property length 0
      '68656c6c6f', //   payload 'hello'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 'a/b',
      payload: b('hello'),
    },
  },
  {
    name: '5.0 PUBLISH QoS 1 with message properties',
    version: 5,
    bytes: [
      '32 35', //                  PUBLISH, QoS 1, remaining length 53
      '0003 612f62', //            topic 'a/b'
      '0001', //                   packet id 1
      '2b', //                     property length 43
      '01 01', //                  payload format indicator 1
      '02 00000e10', //            message expiry interval 3600
      '23 0004', //                topic alias 4
      `08 0004 ${str('resp')}`, // response topic 'resp'
      '09 0002 0102', //           correlation data 01 02
      '26 0001 61 0001 31', //     user property a=1
      '26 0001 61 0001 32', //     user property a=2 (names may repeat)
      `03 0004 ${str('json')}`, // content type 'json'
      '7b7d', //                   payload '{}'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 1,
      retain: false,
      topic: 'a/b',
      packetId: 1,
      payload: b('{}'),
      properties: {
        payloadFormatIndicator: 1,
        messageExpiryInterval: 3600,
        topicAlias: 4,
        responseTopic: 'resp',
        correlationData: Buffer.from([1, 2]),
        userProperties: [
          ['a', '1'],
          ['a', '2'],
        ],
        contentType: 'json',
      },
    },
  },
  {
    name: '5.0 PUBLISH from the server with two subscription identifiers',
    version: 5,
    bytes: [
      '30 0a', //     PUBLISH, QoS 0, remaining length 10
      '0001 74', //   topic 't'
      '05', //        property length 5
      '0b 01', //     subscription identifier 1
      '0b ac02', //   subscription identifier 300 (variable byte integer)
      '78', //        payload 'x'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: 't',
      payload: b('x'),
      properties: { subscriptionIdentifiers: [1, 300] },
    },
  },
  {
    name: '5.0 PUBLISH with an empty topic and a topic alias',
    version: 5,
    bytes: [
      '30 07', //   PUBLISH, QoS 0, remaining length 7
      '0000', //    topic '' (the alias stands for it)
      '03', //      property length 3
      '23 0005', // topic alias 5
      '78', //      payload 'x'
    ],
    packet: {
      type: PacketType.Publish,
      dup: false,
      qos: 0,
      retain: false,
      topic: '',
      payload: b('x'),
      properties: { topicAlias: 5 },
    },
  },
  {
    name: '5.0 PUBACK success, sent as the packet id alone',
    version: 5,
    bytes: ['40 02', '0001'], // PUBACK, remaining length 2; packet id 1
    packet: { type: PacketType.Puback, packetId: 1, reasonCode: ReasonCode.Success },
  },
  {
    name: '5.0 PUBACK with a reason code and no properties',
    version: 5,
    bytes: [
      '40 03', // PUBACK, remaining length 3
      '0001', //  packet id 1
      '10', //    reason: no matching subscribers
    ],
    packet: {
      type: PacketType.Puback,
      packetId: 1,
      reasonCode: ReasonCode.NoMatchingSubscribers,
    },
  },
  {
    name: '5.0 PUBREC with a reason string',
    version: 5,
    bytes: [
      '50 0b', //                  PUBREC, remaining length 11
      '0001', //                   packet id 1
      '80', //                     reason: unspecified error
      '07', //                     property length 7
      `1f 0004 ${str('nope')}`, // reason string 'nope'
    ],
    packet: {
      type: PacketType.Pubrec,
      packetId: 1,
      reasonCode: ReasonCode.UnspecifiedError,
      properties: { reasonString: 'nope' },
    },
  },
  {
    name: '5.0 PUBREL, packet identifier not found',
    version: 5,
    bytes: [
      '62 03', // PUBREL, remaining length 3
      '0001', //  packet id 1
      '92', //    reason: packet identifier not found
    ],
    packet: {
      type: PacketType.Pubrel,
      packetId: 1,
      reasonCode: ReasonCode.PacketIdentifierNotFound,
    },
  },
  {
    name: '5.0 PUBCOMP success with a user property',
    version: 5,
    bytes: [
      '70 0b', //              PUBCOMP, remaining length 11
      '0001', //               packet id 1
      '00', //                 reason: success (kept: properties follow)
      '07', //                 property length 7
      '26 0001 61 0001 62', // user property a=b
    ],
    packet: {
      type: PacketType.Pubcomp,
      packetId: 1,
      reasonCode: ReasonCode.Success,
      properties: { userProperties: [['a', 'b']] },
    },
  },
  {
    name: '5.0 SUBSCRIBE with options and a shared subscription',
    version: 5,
    bytes: [
      '82 18', //                        SUBSCRIBE, remaining length 24
      '0001', //                         packet id 1
      '02', //                           property length 2
      '0b 07', //                        subscription identifier 7
      '0003 612f2b', //                  filter 'a/+'
      '1d', //                           retain handling 1, RAP, no local, QoS 1
      `000a ${str('$share/g/x')}`, //    filter '$share/g/x'
      '22', //                           retain handling 2, QoS 2
    ],
    packet: {
      type: PacketType.Subscribe,
      packetId: 1,
      properties: { subscriptionIdentifiers: [7] },
      subscriptions: [
        {
          topicFilter: 'a/+',
          qos: 1,
          noLocal: true,
          retainAsPublished: true,
          retainHandling: 1,
        },
        {
          topicFilter: '$share/g/x',
          qos: 2,
          noLocal: false,
          retainAsPublished: false,
          retainHandling: 2,
        },
      ],
    },
  },
  {
    name: '5.0 SUBACK with a reason string and failures',
    version: 5,
    bytes: [
      '90 0d', //         SUBACK, remaining length 13
      '0001', //          packet id 1
      '05', //            property length 5
      '1f 0002 6f6b', //  reason string 'ok'
      '01', //            granted QoS 1
      '02', //            granted QoS 2
      '8f', //            topic filter invalid
      '9e', //            shared subscriptions not supported
      'a1', //            subscription identifiers not supported
    ],
    packet: {
      type: PacketType.Suback,
      packetId: 1,
      properties: { reasonString: 'ok' },
      reasonCodes: [
        ReasonCode.GrantedQoS1,
        ReasonCode.GrantedQoS2,
        ReasonCode.TopicFilterInvalid,
        ReasonCode.SharedSubscriptionsNotSupported,
        ReasonCode.SubscriptionIdentifiersNotSupported,
      ],
    },
  },
  {
    name: '5.0 UNSUBSCRIBE',
    version: 5,
    bytes: [
      'a2 08', //        UNSUBSCRIBE, remaining length 8
      '0002', //         packet id 2
      '00', //           property length 0
      '0003 612f62', //  filter 'a/b'
    ],
    packet: { type: PacketType.Unsubscribe, packetId: 2, topicFilters: ['a/b'] },
  },
  {
    name: '5.0 UNSUBACK',
    version: 5,
    bytes: [
      'b0 05', // UNSUBACK, remaining length 5
      '0002', //  packet id 2
      '00', //    property length 0
      '00', //    success
      '11', //    no subscription existed
    ],
    packet: {
      type: PacketType.Unsuback,
      packetId: 2,
      reasonCodes: [ReasonCode.Success, ReasonCode.NoSubscriptionExisted],
    },
  },
  {
    name: '5.0 DISCONNECT, normal, as an empty body',
    version: 5,
    bytes: ['e0 00'], // DISCONNECT, remaining length 0
    packet: { type: PacketType.Disconnect, reasonCode: ReasonCode.Success },
  },
  {
    name: '5.0 DISCONNECT with a reason code only',
    version: 5,
    bytes: [
      'e0 01', // DISCONNECT, remaining length 1
      '04', //    reason: disconnect with will message
    ],
    packet: { type: PacketType.Disconnect, reasonCode: ReasonCode.DisconnectWithWill },
  },
  {
    name: '5.0 DISCONNECT with properties',
    version: 5,
    bytes: [
      'e0 0d', //            DISCONNECT, remaining length 13
      '04', //               reason: disconnect with will message
      '0b', //               property length 11
      '11 00000000', //      session expiry interval 0
      '1f 0003 627965', //   reason string 'bye'
    ],
    packet: {
      type: PacketType.Disconnect,
      reasonCode: ReasonCode.DisconnectWithWill,
      properties: { sessionExpiryInterval: 0, reasonString: 'bye' },
    },
  },
  {
    name: '5.0 AUTH, continue authentication',
    version: 5,
    bytes: [
      'f0 0f', //                   AUTH, remaining length 15
      '18', //                      reason: continue authentication
      '0d', //                      property length 13
      `15 0005 ${str('SCRAM')}`, // authentication method 'SCRAM'
      '16 0002 abcd', //            authentication data ab cd
    ],
    packet: {
      type: PacketType.Auth,
      reasonCode: ReasonCode.ContinueAuthentication,
      properties: {
        authenticationMethod: 'SCRAM',
        authenticationData: Buffer.from('abcd', 'hex'),
      },
    },
  },
  {
    name: '5.0 AUTH success without properties (sent in full, like Mosquitto)',
    version: 5,
    bytes: [
      'f0 02', // AUTH, remaining length 2
      '00', //    reason: success
      '00', //    property length 0
    ],
    packet: { type: PacketType.Auth, reasonCode: ReasonCode.Success },
  },
  {
    name: '5.0 PINGREQ',
    version: 5,
    bytes: ['c0 00'],
    packet: { type: PacketType.Pingreq },
  },
  {
    name: '5.0 PINGRESP',
    version: 5,
    bytes: ['d0 00'],
    packet: { type: PacketType.Pingresp },
  },
];

runVectors(vectors);
