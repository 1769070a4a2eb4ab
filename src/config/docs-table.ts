/**
 * The option reference of docs/configuration.md, made from the option
 * table so the two cannot drift apart (a test compares them).
 */
import { OPTION_SECTIONS } from './option-table.js';
import type { OptionSpec } from './spec.js';
import { FEATURES } from './support.js';

const SCOPES: Record<OptionSpec['scope'], string> = {
  global: 'global',
  listener: 'listener',
  'per-listener': 'per-listener*',
  bridge: 'bridge',
  plugin: 'plugin',
};

function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function valueText(spec: OptionSpec): string {
  switch (spec.kind) {
    case 'bool':
      return '`true` / `false`';
    case 'int':
      if (spec.min !== undefined && spec.max !== undefined)
        return `${spec.min}-${spec.max}`;
      if (spec.min !== undefined) return `integer >= ${spec.min}`;
      if (spec.max !== undefined) return `integer <= ${spec.max}`;
      return 'integer';
    case 'enum':
    case 'list': {
      const values = spec.values?.map((v) => `\`${v}\``).join(' ') ?? 'text';
      return spec.kind === 'list' ? `list: ${values}` : values;
    }
    default:
      return spec.kind;
  }
}

function name(spec: OptionSpec): string {
  const aliases = spec.aliases.map((a) => `\`${a}\``).join(', ');
  return `\`${spec.name}\`${aliases === '' ? '' : ` (alias ${aliases})`}`;
}

function support(spec: OptionSpec, built: ReadonlySet<string>): string {
  if (spec.support === 'supported' || built.has(spec.support)) return 'yes';
  return `not yet (${spec.support})`;
}

function row(spec: OptionSpec, built: ReadonlySet<string>): string {
  const flags = [
    spec.since === '2.1' ? '2.1' : spec.since === 'midge' ? 'midge only' : '',
    spec.deprecated ? 'deprecated' : '',
  ]
    .filter((f) => f !== '')
    .join(', ');
  const cells = [
    name(spec),
    valueText(spec),
    spec.default,
    SCOPES[spec.scope],
    spec.reload ? 'yes' : 'no',
    support(spec, built),
    flags === '' ? spec.summary : `${flags}: ${spec.summary}`,
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

const HEADER = [
  '| option | value | default | scope | reload | midge | meaning |',
  '|---|---|---|---|---|---|---|',
];

/**
 * The generated Markdown, between the markers of docs/configuration.md.
 * `built`: the features this build has (the CLI's list), so the midge
 * column says which options work today.
 */
export function optionReference(built: ReadonlySet<string> = new Set()): string {
  const out: string[] = [];
  for (const section of OPTION_SECTIONS) {
    const rows = section.rows.map((spec) => row(spec, built));
    out.push(`### ${section.title}`, '', ...HEADER, ...rows, '');
  }
  out.push('### Features not built yet', '', '| feature | brings |', '|---|---|');
  for (const [feature, text] of Object.entries(FEATURES)) {
    if (!built.has(feature)) out.push(`| ${feature} | ${text} |`);
  }
  return `${out.join('\n')}\n`;
}
