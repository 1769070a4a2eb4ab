/**
 * Logging options. log_dest and log_type accumulate over every line of
 * every file and replace the defaults once any is given; `none` clears
 * what came before. Mosquitto applies log_type even inside a bridge
 * section, and so does midge.
 */
import type { ParseContext } from './context.js';
import type { WordReader } from './line-reader.js';
import { boolOption, customOption, type OptionSpec, stringOption } from './spec.js';
import type { LogDestName, LogTypeName } from './types.js';
import { parseEnum, parseIntWord } from './values.js';

const G = { scope: 'global', reload: true } as const;

export const LOG_DESTS = [
  'stdout',
  'stderr',
  'syslog',
  'topic',
  'file',
  'dlt',
  'android',
  'none',
] as const;

export const LOG_TYPES: readonly LogTypeName[] = [
  'debug',
  'error',
  'warning',
  'notice',
  'information',
  'subscribe',
  'unsubscribe',
  'websockets',
  'internal',
];

/** Destinations midge cannot write to yet, by the feature that will add them. */
const DEST_FEATURES: Partial<Record<LogDestName, string>> = {
  syslog: 'syslog',
  topic: 'sys',
  dlt: 'dlt',
  android: 'android',
};

function applyLogDest(ctx: ParseContext, words: WordReader): void {
  const word = words.word();
  const dest = parseEnum(ctx.option, word, LOG_DESTS, ctx.fail);
  const list = ctx.logDest ?? [];
  ctx.logDest = list;
  if (dest === 'none') {
    list.length = 0;
    return;
  }
  const feature = DEST_FEATURES[dest];
  if (feature !== undefined) ctx.requireFeature(feature);
  if (dest === 'file') {
    if (ctx.config.logFile !== null) ctx.fail('duplicate "log_dest file" value');
    // The file name keeps trailing blanks, as in Mosquitto.
    const path = words.rest().replace(/^[ \t]+/, '');
    if (path === '') ctx.fail('missing file name after "log_dest file"');
    ctx.config.logFile = path;
  }
  if (!list.includes(dest)) list.push(dest);
}

function applyLogType(ctx: ParseContext, words: WordReader): void {
  const word = words.word();
  if (word === undefined) {
    // Mosquitto logs an error for this line and carries on.
    ctx.warn('missing value for log_type, line ignored');
    return;
  }
  const type = parseEnum(
    ctx.option,
    word,
    [...LOG_TYPES, 'none', 'all'] as const,
    ctx.fail,
  );
  let list = ctx.logType ?? [];
  if (type === 'none') list = [];
  else if (type === 'all') list = [...LOG_TYPES];
  else if (!list.includes(type)) list.push(type);
  ctx.logType = list;
}

function applyLogFacility(ctx: ParseContext, words: WordReader): void {
  const n = parseIntWord(ctx.option, words.word(), ctx.fail);
  if (n < 0 || n > 7) ctx.fail(`log_facility must be between 0 and 7, not ${n}`);
  ctx.store('global', 'logFacility', n);
}

export const loggingOptions: readonly OptionSpec[] = [
  customOption(
    'log_dest',
    'list',
    {
      ...G,
      values: LOG_DESTS,
      default: 'stderr',
      summary: 'where to log; repeatable; `file <path>` for a file',
    },
    applyLogDest,
  ),
  customOption(
    'log_facility',
    'int',
    {
      ...G,
      support: 'syslog',
      min: 0,
      max: 7,
      default: 'daemon',
      summary: 'syslog facility local0..local7',
    },
    applyLogFacility,
  ),
  boolOption('log_timestamp', 'logTimestamp', {
    ...G,
    default: 'true',
    summary: 'prefix log lines with a timestamp',
  }),
  stringOption('log_timestamp_format', 'logTimestampFormat', {
    ...G,
    default: 'seconds since the epoch',
    summary: 'strftime format of the timestamp',
  }),
  customOption(
    'log_type',
    'list',
    {
      ...G,
      values: [...LOG_TYPES, 'none', 'all'],
      default: 'error, warning, notice, information',
      summary: 'which messages to log; repeatable',
    },
    applyLogType,
  ),
  boolOption('connection_messages', 'connectionMessages', {
    ...G,
    default: 'true',
    summary: 'log client connections and disconnections',
  }),
];
