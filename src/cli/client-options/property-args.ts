/**
 * `-D command identifier value` and `-D command user-property name value`:
 * MQTT 5 properties for a packet (or the will), checked in Mosquitto's
 * order so the first problem reported is the one Mosquitto reports.
 */
import { isValidMqttString } from '../../protocol/index.js';
import { atol } from './c-numbers.js';
import type { ClientConfig, PropertyArg, PropertyTarget } from './config.js';
import { fail } from './errors.js';
import {
  type CommandName,
  findCommand,
  findProperty,
  type PropertySpec,
  PropType,
} from './property-table.js';

const notEnough =
  'Error: --property argument given but not enough arguments specified.\n\n';
const maxVarInt = 268435455;

/** Packets the tools send; properties for the others are refused. */
const targets: Partial<Record<CommandName, PropertyTarget>> = {
  connect: 'connect',
  publish: 'publish',
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  disconnect: 'disconnect',
  will: 'will',
};

function rangeError(value: bigint, name: string): never {
  fail(`Error: Property value (${value}) out of range for property ${name}.\n\n`);
}

function numberValue(spec: PropertySpec, name: string, text: string): number {
  const value = atol(text);
  const max = { [PropType.Byte]: 255n, [PropType.Int16]: 65535n }[spec.type as number];
  if (value < 0n || value > (max ?? 4294967295n)) rangeError(value, name);
  // Mosquitto's library refuses a variable byte integer past 2^28-1.
  if (spec.type === PropType.VarInt && value > maxVarInt) addError(name, spec);
  return Number(value);
}

function addError(name: string, spec: PropertySpec): never {
  fail(`Error adding property ${name} ${spec.type}\n`);
}

function checkString(value: string, name: string, spec: PropertySpec): void {
  if (!isValidMqttString(value) || Buffer.byteLength(value) > 65535) {
    addError(name, spec);
  }
}

function propertyValue(
  spec: PropertySpec,
  name: string,
  args: string[],
): PropertyArg['value'] {
  switch (spec.type) {
    case PropType.Binary: {
      const bytes = Buffer.from(args[0]!);
      if (bytes.length > 65535) {
        fail(`Error: Property value too long for property ${name}.\n\n`);
      }
      return bytes;
    }
    case PropType.String:
      checkString(args[0]!, name, spec);
      return args[0]!;
    case PropType.StringPair:
      // Mosquitto's library checks the name of a user property, not its value.
      checkString(args[0]!, name, spec);
      return [args[0]!, args[1]!];
    default:
      return numberValue(spec, name, args[0]!);
  }
}

function targetFor(command: CommandName, spec: PropertySpec, names: string[]) {
  const [cmdName, propName] = names;
  if (command === 'publish' && spec.name === 'subscription-identifier') {
    fail(
      `Error: ${propName} property not supported for ${cmdName} in --property ` +
        'argument.\n\n',
    );
  }
  const target = targets[command];
  if (target) return target;
  // CONNACK is accepted by name, then dropped without a word, as Mosquitto does.
  if (command === 'connack') fail('');
  fail(
    `Error: ${propName} property not supported for ${cmdName} in --property ` +
      'argument.\n\n',
  );
}

/**
 * Reads one -D starting at argv[i] (the command name); returns the index
 * of its last argument.
 */
export function parsePropertyArg(cfg: ClientConfig, argv: string[], i: number): number {
  if (i + 2 > argv.length - 1) fail(notEnough);
  const cmdName = argv[i]!;
  const propName = argv[i + 1]!;
  const command = findCommand(cmdName);
  if (!command) fail('Error: Invalid command given in --property argument.\n\n');
  const spec = findProperty(propName);
  if (!spec) fail('Error: Invalid property name given in --property argument.\n\n');
  if (!spec.commands.includes(command)) {
    fail(
      `Error: ${propName} property not allowed for ${cmdName} in --property ` +
        'argument.\n\n',
    );
  }
  const pair = spec.type === PropType.StringPair;
  if (pair && i + 3 > argv.length - 1) fail(notEnough);
  const target = targetFor(command, spec, [cmdName, propName]);
  const args = argv.slice(i + 2, i + (pair ? 4 : 3));
  const value = propertyValue(spec, propName, args);
  if (spec.name === 'topic-alias' && target === 'publish') cfg.haveTopicAlias = true;
  cfg.properties[target].push({ name: spec.name, key: spec.key, value });
  return i + (pair ? 3 : 2);
}
