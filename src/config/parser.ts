/**
 * Reads mosquitto.conf text into a Config: one pass over the lines, each
 * looked up in the option table and applied to the current section, then
 * a finishing step for what depends on the whole file (the default
 * listener, allow_anonymous, bridge checks).
 */
import { readFileSync, statSync } from 'node:fs';
import { ParseContext } from './context.js';
import { createConfig } from './defaults.js';
import { ConfigError } from './errors.js';
import { finishConfig } from './finish.js';
import { includeFiles } from './include-dir.js';
import { optionLines, WordReader } from './line-reader.js';
import { findOption, REMOVED_OPTIONS } from './option-table.js';
import type { Config } from './types.js';

const BOM = '\uFEFF';

function unknownReason(name: string): string {
  if (name.startsWith(BOM))
    return 'the file starts with a byte-order mark; save it without one';
  if (name.includes('\t')) {
    return `Unknown configuration variable "${name}" (use spaces, not tabs).`;
  }
  if (name.startsWith('#')) return 'a comment must start in the first column';
  // Mosquitto's words for it.
  return REMOVED_OPTIONS.get(name) ?? `Unknown configuration variable "${name}".`;
}

function parseLines(ctx: ParseContext, text: string): void {
  for (const raw of optionLines(text)) {
    ctx.line = raw.line;
    const words = new WordReader(raw.text);
    const name = words.word()!;
    const spec = findOption(name);
    if (spec === undefined) ctx.fail(unknownReason(name));
    ctx.option = name;
    ctx.directive = {
      file: ctx.file,
      line: raw.line,
      option: name,
      canonical: spec.name,
    };
    ctx.config.directives.push(ctx.directive);
    spec.apply(ctx, words);
  }
}

function readText(file: string, line: number, ctxFile: string): string {
  try {
    if (statSync(file).isDirectory()) {
      throw new ConfigError(ctxFile, line, `config file ${file} is a folder`);
    }
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(ctxFile, line, `Unable to open config file ${file}.`);
  }
}

/** Reads one file with fresh per-file state; restores the caller's after. */
function parseFile(ctx: ParseContext, text: string, file: string, level: number): void {
  const saved = { file: ctx.file, line: ctx.line, level: ctx.level, state: ctx.state };
  ctx.file = file;
  ctx.level = level;
  ctx.state = { listener: null, bridge: null, plugin: null };
  parseLines(ctx, text);
  ctx.file = saved.file;
  ctx.line = saved.line;
  ctx.level = saved.level;
  ctx.state = saved.state;
}

function installInclude(ctx: ParseContext): void {
  ctx.include = (dir) => {
    // Only the main file may include: Mosquitto ignores nested include_dir.
    if (ctx.level > 0) return;
    let files: string[];
    try {
      files = includeFiles(dir);
    } catch {
      return ctx.fail(`cannot open include_dir "${dir}"`);
    }
    for (const file of files) {
      const text = readText(file, ctx.line, ctx.file);
      ctx.config.files.push(file);
      parseFile(ctx, text, file, 1);
    }
  };
}

/** Parses config text; `fileName` is used in errors and positions. */
export function parseConfig(text: string, fileName: string): Config {
  const config = createConfig(fileName);
  const ctx = new ParseContext(config);
  installInclude(ctx);
  parseFile(ctx, text, fileName, 0);
  finishConfig(ctx);
  return config;
}

/** Reads and parses a mosquitto.conf and the include_dir files it names. */
export function loadConfig(path: string): Config {
  return parseConfig(readText(path, 0, path), path);
}
