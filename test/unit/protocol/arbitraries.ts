/**
 * fast-check arbitraries producing valid packets, already in the form the
 * decoder returns for the given version (so decode(encode(p)) must equal p).
 */
import fc from 'fast-check';
import {
  type Packet,
  PacketType,
  type Properties,
  type ProtocolVersion,
  ReasonCode as R,
  type Subscription,
} from '../../../src/protocol/index.js';

const CHARS = ['a', 'b', 'z', '0', ' ', '-', '$', 'é', '€', '中', '😀', 'Ω'];

export const text = (minLength = 0) =>
  fc.string({ unit: fc.constantFrom(...CHARS), minLength, maxLength: 12 });
const level = text(0).filter((s) => !s.includes('/'));
export const topicName = fc
  .array(fc.oneof(level, fc.constant('/')), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.join(''))
  .filter((s) => s.length > 0);
export const topicFilter = fc
  .tuple(
    fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 4 }),
    fc.boolean(),
  )
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((s) => s.length > 0 && !s.startsWith('$share/'));
const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const id = fc.integer({ min: 1, max: 0xffff });
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const);
const bit = fc.constantFrom(0, 1);
const userProps = fc.array(fc.tuple(text(), text()), { minLength: 1, maxLength: 3 });
const varintId = fc.integer({ min: 1, max: 268_435_455 });

/** An optional record of properties, or undefined if it came out empty. */
function props(
  model: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Properties | undefined> {
  return fc
    .record(model, { requiredKeys: [] })
    .map((p) => (Object.keys(p).length === 0 ? undefined : ({ ...p } as Properties)));
}

const messageProps = {
  payloadFormatIndicator: bit,
  messageExpiryInterval: u32,
  contentType: text(),
  responseTopic: topicName,
  correlationData: bytes,
  userProperties: userProps,
};

/** Drops keys whose value is undefined, as the decoder never sets them. */
function tidy<T extends object>(obj: T): T {
  for (const key of Object.keys(obj) as Array<keyof T>) {
    if (obj[key] === undefined) delete obj[key];
  }
  return obj;
}

function connect(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const will = fc.record({
    topic: topicName,
    payload: bytes,
    qos,
    retain: fc.boolean(),
    properties:
      v === 5
        ? props({ ...messageProps, willDelayInterval: u32 })
        : fc.constant(undefined),
  });
  return fc
    .record({
      bridge: fc.boolean(),
      clean: fc.boolean(),
      keepAlive: u16,
      clientId: text(),
      will: fc.option(
        will.map((w) => tidy({ ...w })),
        { nil: undefined },
      ),
      username: fc.option(text(), { nil: undefined }),
      password: fc.option(bytes, { nil: undefined }),
      properties: v === 5 ? props(connectProps) : fc.constant(undefined),
    })
    .filter((p) => v === 5 || p.password === undefined || p.username !== undefined)
    .map((p) =>
      tidy({
        type: PacketType.Connect as const,
        protocolName: v === 3 ? 'MQIsdp' : 'MQTT',
        protocolVersion: v,
        ...p,
      }),
    );
}

const connectProps = {
  sessionExpiryInterval: u32,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
  topicAliasMaximum: u16,
  requestResponseInformation: bit,
  requestProblemInformation: bit,
  userProperties: userProps,
  authenticationMethod: text(),
};

function connack(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const codes =
    v === 5 ? [R.Success, R.NotAuthorized, R.ServerMoved] : [0, 1, 2, 3, 4, 5];
  return fc
    .record({
      sessionPresent: v === 3 ? fc.constant(false) : fc.boolean(),
      reasonCode: fc.constantFrom(...codes),
      properties:
        v === 5
          ? props({
              sessionExpiryInterval: u32,
              receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
              maximumQoS: bit,
              retainAvailable: bit,
              maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
              assignedClientIdentifier: text(),
              topicAliasMaximum: u16,
              reasonString: text(),
              userProperties: userProps,
              wildcardSubscriptionAvailable: bit,
              subscriptionIdentifiersAvailable: bit,
              sharedSubscriptionAvailable: bit,
              serverKeepAlive: u16,
              responseInformation: text(),
              serverReference: text(),
              authenticationMethod: text(),
              authenticationData: bytes,
            })
          : fc.constant(undefined),
    })
    .filter(
      (p) => !p.properties?.authenticationData || !!p.properties.authenticationMethod,
    )
    .map((p) => tidy({ type: PacketType.Connack as const, ...p }));
}

function publish(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const publishProps =
    v === 5
      ? props({
          ...messageProps,
          topicAlias: fc.integer({ min: 1, max: 0xffff }),
          subscriptionIdentifiers: fc.array(varintId, { minLength: 1, maxLength: 3 }),
        })
      : fc.constant(undefined);
  return fc
    .record({
      qos,
      dup: fc.boolean(),
      retain: fc.boolean(),
      topic: topicName,
      id,
      payload: bytes,
    })
    .chain((p) => publishProps.map((properties) => ({ ...p, properties })))
    .map(({ qos, dup, retain, topic, id, payload, properties }) =>
      tidy({
        type: PacketType.Publish as const,
        dup: qos > 0 && dup,
        qos,
        retain,
        topic,
        packetId: qos > 0 ? id : undefined,
        payload,
        properties,
      }),
    );
}

type AckType =
  | PacketType.Puback
  | PacketType.Pubrec
  | PacketType.Pubrel
  | PacketType.Pubcomp;

function ack(v: ProtocolVersion, type: AckType): fc.Arbitrary<Packet> {
  const codes =
    type === PacketType.Puback || type === PacketType.Pubrec
      ? [R.Success, R.NoMatchingSubscribers, R.NotAuthorized, R.QuotaExceeded]
      : [R.Success, R.PacketIdentifierNotFound];
  return fc
    .record({
      packetId: id,
      reasonCode: fc.constantFrom(...codes),
      properties: props({ reasonString: text(), userProperties: userProps }),
    })
    .map((p) => (v === 5 ? tidy({ type, ...p }) : { type, packetId: p.packetId }));
}

function subscribe(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const sub: fc.Arbitrary<Subscription> = fc.record({
    topicFilter: topicFilter,
    qos,
    noLocal: v === 5 ? fc.boolean() : fc.constant(false),
    retainAsPublished: v === 5 ? fc.boolean() : fc.constant(false),
    retainHandling:
      v === 5
        ? fc.constantFrom(0 as const, 1 as const, 2 as const)
        : fc.constant(0 as const),
  });
  return fc
    .record({
      packetId: id,
      subscriptions: fc.array(
        sub.map((x) => ({ ...x })),
        { minLength: 1, maxLength: 4 },
      ),
      properties:
        v === 5
          ? props({
              subscriptionIdentifiers: varintId.map((n) => [n]),
              userProperties: userProps,
            })
          : fc.constant(undefined),
    })
    .map((p) => tidy({ type: PacketType.Subscribe as const, ...p }));
}

function suback(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const codes =
    v === 5 ? [0, 1, 2, R.NotAuthorized, R.TopicFilterInvalid] : [0, 1, 2, 0x80];
  return fc
    .record({
      packetId: id,
      reasonCodes: fc.array(fc.constantFrom(...codes), { minLength: 1, maxLength: 5 }),
      properties: v === 5 ? props({ reasonString: text() }) : fc.constant(undefined),
    })
    .map((p) => tidy({ type: PacketType.Suback as const, ...p }));
}

function unsubscribe(v: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record({
      packetId: id,
      topicFilters: fc.array(topicFilter, { minLength: 1, maxLength: 4 }),
      properties: v === 5 ? props({ userProperties: userProps }) : fc.constant(undefined),
    })
    .map((p) => tidy({ type: PacketType.Unsubscribe as const, ...p }));
}

function unsuback(v: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record({
      packetId: id,
      reasonCodes: fc.array(fc.constantFrom(R.Success, R.NoSubscriptionExisted), {
        minLength: 1,
        maxLength: 4,
      }),
      properties: props({ reasonString: text() }),
    })
    .map((p) =>
      v === 5
        ? tidy({ type: PacketType.Unsuback as const, ...p })
        : { type: PacketType.Unsuback as const, packetId: p.packetId },
    );
}

function disconnect(v: ProtocolVersion): fc.Arbitrary<Packet> {
  return fc
    .record({
      reasonCode: fc.constantFrom(R.Success, R.DisconnectWithWill, R.ServerShuttingDown),
      properties: props({ sessionExpiryInterval: u32, reasonString: text() }),
    })
    .map((p) =>
      v === 5
        ? tidy({ type: PacketType.Disconnect as const, ...p })
        : { type: PacketType.Disconnect as const },
    );
}

const auth = fc
  .record({
    reasonCode: fc.constantFrom(R.Success, R.ContinueAuthentication, R.ReAuthenticate),
    properties: props({ authenticationMethod: text(), reasonString: text() }),
  })
  .map((p) => tidy({ type: PacketType.Auth as const, ...p }));

/** Any valid packet of `version`, in decoded form. */
export function packetArb(v: ProtocolVersion): fc.Arbitrary<Packet> {
  const list = [
    connect(v),
    connack(v),
    publish(v),
    ack(v, PacketType.Puback),
    ack(v, PacketType.Pubrec),
    ack(v, PacketType.Pubrel),
    ack(v, PacketType.Pubcomp),
    subscribe(v),
    suback(v),
    unsubscribe(v),
    unsuback(v),
    fc.constant<Packet>({ type: PacketType.Pingreq }),
    fc.constant<Packet>({ type: PacketType.Pingresp }),
    disconnect(v),
  ];
  return fc.oneof(...(v === 5 ? [...list, auth] : list));
}
