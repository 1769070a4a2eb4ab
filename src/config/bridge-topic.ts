/**
 * The bridge `topic` line:
 *   topic <pattern> [in|out|both [<qos> [<local-prefix> <remote-prefix>]]]
 * `""` stands for an empty pattern or prefix; a word starting with `#`
 * after the pattern begins a comment. An empty pattern needs both
 * prefixes, which then make the whole topic.
 */
import type { ParseContext } from './context.js';
import type { WordReader } from './line-reader.js';
import type { BridgeDirection, BridgeTopic } from './types.js';
import { isPublishTopic, isTopicFilter, parseIntWord } from './values.js';

const EMPTY = '""';

/** The next word, or undefined if the line ends or a comment starts. */
function nextWord(words: WordReader): string | undefined {
  const word = words.word();
  return word === undefined || word.startsWith('#') ? undefined : word;
}

function parseDirection(ctx: ParseContext, word: string | undefined): BridgeDirection {
  if (word === undefined) return 'out';
  const lower = word.toLowerCase();
  if (lower === 'in' || lower === 'out' || lower === 'both') return lower;
  return ctx.fail(`invalid bridge topic direction "${word}" (expected in, out or both)`);
}

function parsePrefix(ctx: ParseContext, word: string | undefined, side: string) {
  if (word === undefined || word === EMPTY) return null;
  if (!isPublishTopic(word))
    ctx.fail(`bridge topic ${side} prefix "${word}" must not contain + or #`);
  return word;
}

export function applyTopic(ctx: ParseContext, words: WordReader): void {
  const bridge = ctx.bridge();
  const pattern = words.word();
  if (pattern === undefined) ctx.fail('missing value for topic');
  // The pattern is read before comments count: `topic # in` bridges everything.
  const direction = parseDirection(ctx, nextWord(words));
  const qosWord = nextWord(words);
  const qos =
    qosWord === undefined ? 0 : parseIntWord('bridge topic QoS', qosWord, ctx.fail);
  if (qos < 0 || qos > 2) ctx.fail(`bridge topic QoS must be 0, 1 or 2, not ${qos}`);
  const localPrefix = parsePrefix(ctx, nextWord(words), 'local');
  const remotePrefix = parsePrefix(ctx, nextWord(words), 'remote');
  const empty = pattern === EMPTY;
  if (empty && (localPrefix === null || remotePrefix === null)) {
    ctx.fail('a bridge topic "" needs both a local and a remote prefix');
  }
  if (!empty && !isTopicFilter(pattern))
    ctx.fail(`invalid bridge topic pattern "${pattern}"`);
  const topic: BridgeTopic = {
    pattern: empty ? '' : pattern,
    direction,
    qos: qos as BridgeTopic['qos'],
    localPrefix,
    remotePrefix,
    source: ctx.position,
  };
  bridge.topics.push(topic);
}
