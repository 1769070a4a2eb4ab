/**
 * One SVG bar chart per scenario: a panel per figure, a bar per broker,
 * the value at the end of each bar and midge's ratio beside the others.
 * Hand-written SVG, so no charting dependency is needed.
 */
import { type BrokerName, brokerNames } from '../brokers/brokers.js';
import { arrow, compact, ratio } from './format.js';
import { figureOf, ratioOf, type ScenarioResult, whyMissing } from './results.js';

const colours: Record<BrokerName, string> = {
  midge: '#2a9d8f',
  mosquitto: '#e76f51',
  aedes: '#457b9d',
  floor: '#9a9a9a',
};

const width = 720;
const labelWidth = 90;
const barMax = 420;
const barHeight = 18;
const rowGap = 6;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function text(x: number, y: number, body: string, attrs = ''): string {
  const extra = attrs ? ` ${attrs}` : '';
  return `<text x="${x.toFixed(1)}" y="${y}"${extra}>${escapeXml(body)}</text>`;
}

function panel(s: ScenarioResult, metric: string, brokers: BrokerName[], top: number) {
  const f = s.figures.find((x) => x.metric === metric)!;
  const parts = [
    text(10, top + 14, `${f.metric} (${f.unit}) ${arrow(f.better)}`, 'class="h"'),
  ];
  const values = brokers.map((b) => figureOf(s, b, metric));
  const max = Math.max(...values.map((v) => v ?? 0), 1e-9);
  let y = top + 24;
  brokers.forEach((b, i) => {
    const v = values[i]!;
    parts.push(text(10, y + 13, b));
    if (v === null) {
      parts.push(text(labelWidth, y + 13, whyMissing(s, b, metric), 'class="na"'));
    } else {
      const w = Math.max(1, (v / max) * barMax);
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" ` +
          `height="${barHeight}" ` +
          `fill="${colours[b]}"/>`,
      );
      const r = b === 'midge' ? '' : ` (midge/${b} ${ratio(ratioOf(s, b, metric))})`;
      parts.push(text(labelWidth + w + 6, y + 13, `${compact(v)}${r}`));
    }
    y += barHeight + rowGap;
  });
  return { svg: parts.join('\n'), bottom: y + 8 };
}

export function scenarioChart(s: ScenarioResult, shown: readonly BrokerName[]): string {
  const brokers = brokerNames.filter((b) => shown.includes(b));
  const parts: string[] = [text(10, 22, s.title, 'class="t"')];
  let top = 34;
  for (const f of s.figures) {
    const p = panel(s, f.metric, brokers, top);
    parts.push(p.svg);
    top = p.bottom;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top}" ` +
      `viewBox="0 0 ${width} ${top}" font-family="sans-serif" font-size="12">`,
    '<style>.t{font-size:15px;font-weight:bold}.h{font-weight:bold}' +
      '.na{fill:#888}</style>',
    `<rect width="${width}" height="${top}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
