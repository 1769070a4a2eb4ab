/**
 * The shape of one row of the option table and the builders that make the
 * common rows (a boolean stored in a field, a bounded integer, ...). Rows
 * that need more than storing one value carry their own `apply`.
 */
import type { OptionScope, ParseContext } from './context.js';
import type { WordReader } from './line-reader.js';
import {
  checkRange,
  parseBool,
  parseEnum,
  parseIntWord,
  parseString,
  trimmedWord,
} from './values.js';

export type OptionKind =
  | 'bool'
  | 'int'
  | 'string'
  | 'path'
  | 'enum'
  | 'list'
  | 'listener'
  | 'special';

/** 'supported', or the name of the midge feature that will bring the option. */
export type Support = 'supported' | string;

export interface OptionSpec {
  name: string;
  /** Other names Mosquitto accepts for it (undocumented ones included). */
  aliases: readonly string[];
  /** For `plugin_opt_*`: the name is a prefix. */
  prefix?: boolean;
  kind: OptionKind;
  min?: number;
  max?: number;
  values?: readonly string[];
  /** Mosquitto's default, as text for people. */
  default: string;
  scope: OptionScope;
  /** Re-read on SIGHUP. */
  reload: boolean;
  support: Support;
  since: '2.0' | '2.1' | 'midge';
  deprecated: boolean;
  summary: string;
  apply(ctx: ParseContext, words: WordReader): void;
}

export interface Common {
  scope: OptionScope;
  reload: boolean;
  default: string;
  summary: string;
  support?: Support;
  /** Mosquitto version that added it, or 'midge' for midge's own options. */
  since?: '2.0' | '2.1' | 'midge';
  deprecated?: boolean;
  aliases?: readonly string[];
}

function row(
  name: string,
  kind: OptionKind,
  c: Common,
  apply: OptionSpec['apply'],
): OptionSpec {
  return {
    name,
    kind,
    aliases: c.aliases ?? [],
    default: c.default,
    scope: c.scope,
    reload: c.reload,
    support: c.support ?? 'supported',
    since: c.since ?? '2.0',
    deprecated: c.deprecated ?? false,
    summary: c.summary,
    apply,
  };
}

export function boolOption(name: string, field: string, c: Common): OptionSpec {
  return row(name, 'bool', c, (ctx, words) => {
    ctx.store(c.scope, field, parseBool(ctx.option, words, ctx.fail));
  });
}

export interface IntOptions extends Common {
  min?: number;
  max?: number;
  /** Values below `below` are replaced by `to` (with a warning if `notice`). */
  floor?: { below: number; to: number; notice?: string };
}

export function intOption(name: string, field: string, c: IntOptions): OptionSpec {
  const spec = row(name, 'int', c, (ctx, words) => {
    let n = parseIntWord(ctx.option, words.word(), ctx.fail);
    if (c.floor !== undefined && n < c.floor.below) {
      if (c.floor.notice !== undefined) ctx.warn(c.floor.notice);
      n = c.floor.to;
    }
    ctx.store(c.scope, field, checkRange(ctx.option, n, c, ctx.fail));
  });
  return { ...spec, min: c.min, max: c.max };
}

export interface StringOptions extends Common {
  /** 'path' for files and folders, for the docs. */
  kind?: 'string' | 'path';
  /** A second value for the same section is an error (Mosquitto's rule). */
  once?: boolean;
  check?: (ctx: ParseContext, value: string) => void;
}

export function stringOption(name: string, field: string, c: StringOptions): OptionSpec {
  return row(name, c.kind ?? 'string', c, (ctx, words) => {
    const value = parseString(ctx.option, words, ctx.fail);
    c.check?.(ctx, value);
    ctx.store(c.scope, field, value, c.once ?? true);
  });
}

export interface EnumOptions<T extends string> extends Common {
  values: readonly T[];
  /** Mosquitto compares the whole rest of the line (bridge_protocol_version). */
  rest?: boolean;
}

export function enumOption<T extends string>(
  name: string,
  field: string,
  c: EnumOptions<T>,
): OptionSpec {
  const spec = row(name, 'enum', c, (ctx, words) => {
    const word = c.rest ? trimmedWord(words.rest()) : words.word();
    ctx.store(c.scope, field, parseEnum(ctx.option, word, c.values, ctx.fail));
  });
  return { ...spec, values: c.values };
}

/** A row with its own parsing. */
export function customOption(
  name: string,
  kind: OptionKind,
  c: Common & { values?: readonly string[]; min?: number; max?: number },
  apply: OptionSpec['apply'],
): OptionSpec {
  return { ...row(name, kind, c, apply), values: c.values, min: c.min, max: c.max };
}

/** The same row, logging a warning each time the option is used. */
export function withWarning(spec: OptionSpec, message: string): OptionSpec {
  return {
    ...spec,
    apply(ctx, words) {
      ctx.warn(message);
      spec.apply(ctx, words);
    },
  };
}
