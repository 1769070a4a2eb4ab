/**
 * The MQTT 5 properties `-D` accepts: their names on the command line,
 * their value type (numbered as Mosquitto numbers them, since one error
 * message prints the number) and the packets each may be given for.
 */
import type { Properties } from '../../protocol/index.js';

export enum PropType {
  Byte = 1,
  Int16 = 2,
  Int32 = 3,
  VarInt = 4,
  Binary = 5,
  String = 6,
  StringPair = 7,
}

/** Packet names `-D` knows (case-insensitive); suback and the like are not. */
export const commandNames = [
  'connect',
  'connack',
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'unsubscribe',
  'disconnect',
  'auth',
  'will',
] as const;

export type CommandName = (typeof commandNames)[number];

export interface PropertySpec {
  name: string;
  key: keyof Properties;
  type: PropType;
  /** Packets the property may appear in. */
  commands: readonly CommandName[];
}

const publishLike: readonly CommandName[] = ['publish', 'will'];
const connackOnly: readonly CommandName[] = ['connack'];
const connectConnack: readonly CommandName[] = ['connect', 'connack'];
const everyCommand = commandNames;

function spec(
  name: string,
  key: keyof Properties,
  type: PropType,
  commands: readonly CommandName[],
): PropertySpec {
  return { name, key, type, commands };
}

export const propertySpecs: readonly PropertySpec[] = [
  spec('payload-format-indicator', 'payloadFormatIndicator', PropType.Byte, publishLike),
  spec('message-expiry-interval', 'messageExpiryInterval', PropType.Int32, publishLike),
  spec('content-type', 'contentType', PropType.String, publishLike),
  spec('response-topic', 'responseTopic', PropType.String, publishLike),
  spec('correlation-data', 'correlationData', PropType.Binary, publishLike),
  spec('subscription-identifier', 'subscriptionIdentifiers', PropType.VarInt, [
    'publish',
    'subscribe',
  ]),
  spec('session-expiry-interval', 'sessionExpiryInterval', PropType.Int32, [
    'connect',
    'connack',
    'disconnect',
  ]),
  spec('assigned-client-identifier', 'assignedClientIdentifier', PropType.String, [
    'connack',
  ]),
  spec('server-keep-alive', 'serverKeepAlive', PropType.Int16, connackOnly),
  spec('authentication-method', 'authenticationMethod', PropType.String, [
    'connect',
    'connack',
    'auth',
  ]),
  spec('authentication-data', 'authenticationData', PropType.Binary, [
    'connect',
    'connack',
    'auth',
  ]),
  spec('request-problem-information', 'requestProblemInformation', PropType.Byte, [
    'connect',
  ]),
  spec('will-delay-interval', 'willDelayInterval', PropType.Int32, ['will']),
  spec('request-response-information', 'requestResponseInformation', PropType.Byte, [
    'connect',
  ]),
  spec('response-information', 'responseInformation', PropType.String, connackOnly),
  spec('server-reference', 'serverReference', PropType.String, ['connack', 'disconnect']),
  // Mosquitto 2.0 lets a will carry a reason string; midge_pub does too.
  spec('reason-string', 'reasonString', PropType.String, [
    'connack',
    'puback',
    'pubrec',
    'pubrel',
    'pubcomp',
    'disconnect',
    'auth',
    'will',
  ]),
  spec('receive-maximum', 'receiveMaximum', PropType.Int16, connectConnack),
  spec('topic-alias-maximum', 'topicAliasMaximum', PropType.Int16, connectConnack),
  spec('topic-alias', 'topicAlias', PropType.Int16, ['publish']),
  spec('maximum-qos', 'maximumQoS', PropType.Byte, connackOnly),
  spec('retain-available', 'retainAvailable', PropType.Byte, connackOnly),
  spec('user-property', 'userProperties', PropType.StringPair, everyCommand),
  spec('maximum-packet-size', 'maximumPacketSize', PropType.Int32, connectConnack),
  spec(
    'wildcard-subscription-available',
    'wildcardSubscriptionAvailable',
    PropType.Byte,
    connackOnly,
  ),
  spec(
    'subscription-identifier-available',
    'subscriptionIdentifiersAvailable',
    PropType.Byte,
    connackOnly,
  ),
  spec(
    'shared-subscription-available',
    'sharedSubscriptionAvailable',
    PropType.Byte,
    connackOnly,
  ),
];

export function findProperty(name: string): PropertySpec | undefined {
  const lower = name.toLowerCase();
  return propertySpecs.find((p) => p.name === lower);
}

export function findCommand(name: string): CommandName | undefined {
  const lower = name.toLowerCase();
  return commandNames.find((c) => c === lower);
}
