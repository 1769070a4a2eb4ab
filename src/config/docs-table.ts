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

function support(spec: OptionSpec): string {
  return spec.support === 'supported' ? 'yes' : `needs ${spec.support}`;
}

function row(spec: OptionSpec): string {
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
    support(spec),
    flags === '' ? spec.summary : `${flags}: ${spec.summary}`,
  ];
  return `| ${cells.map(cell).join(' | ')} |`;
}

const HEADER = [
  '| option | value | default | scope | reload | midge | meaning |',
  '|---|---|---|---|---|---|---|',
];

/** The generated Markdown, between the markers of docs/configuration.md. */
export function optionReference(): string {
  const out: string[] = [];
  for (const section of OPTION_SECTIONS) {
    out.push(`### ${section.title}`, '', ...HEADER, ...section.rows.map(row), '');
  }
  out.push('### Features', '', '| feature | brings |', '|---|---|');
  for (const [feature, text] of Object.entries(FEATURES))
    out.push(`| ${feature} | ${text} |`);
  return `${out.join('\n')}\n`;
}
