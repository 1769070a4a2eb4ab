/**
 * The checks Mosquitto's library makes on a whole property list before the
 * tool starts: values the protocol forbids, and a property given twice
 * (only user-property may repeat). Lists are checked in this order, each
 * property in the order given, so the first problem reported matches.
 */
import type { ClientConfig, PropertyArg, PropertyTarget } from './config.js';
import { failUnlessQuiet } from './errors.js';

const protocolError =
  'A network protocol error occurred when communicating with the broker.';
const duplicate = 'Duplicate property in property list';

const lists: ReadonlyArray<[PropertyTarget, string]> = [
  ['connect', 'CONNECT'],
  ['publish', 'PUBLISH'],
  ['subscribe', 'SUBSCRIBE'],
  ['unsubscribe', 'UNSUBSCRIBE'],
  ['disconnect', 'DISCONNECT'],
  ['will', 'Will'],
];

/** Byte properties that are really booleans: 0 or 1 only. */
const booleans = new Set([
  'request-problem-information',
  'request-response-information',
  'maximum-qos',
  'retain-available',
  'wildcard-subscription-available',
  'subscription-identifier-available',
  'shared-subscription-available',
]);

/** Properties where 0 is not allowed. */
const nonZero = new Set(['maximum-packet-size', 'receive-maximum', 'topic-alias']);

function valueProblem(prop: PropertyArg): boolean {
  if (booleans.has(prop.name)) return (prop.value as number) > 1;
  return nonZero.has(prop.name) && prop.value === 0;
}

/** The reason the list is refused, or undefined. */
export function listProblem(props: readonly PropertyArg[]): string | undefined {
  for (let i = 0; i < props.length; i++) {
    const prop = props[i]!;
    if (valueProblem(prop)) return protocolError;
    if (prop.name === 'user-property') continue;
    if (props.slice(i + 1).some((later) => later.name === prop.name)) return duplicate;
  }
  return undefined;
}

export function checkPropertyLists(cfg: ClientConfig): void {
  for (const [target, label] of lists) {
    const problem = listProblem(cfg.properties[target]);
    if (problem) failUnlessQuiet(cfg.quiet, `Error in ${label} properties: ${problem}\n`);
  }
}
