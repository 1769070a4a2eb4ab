/**
 * Renders a results.json as the Markdown "results" section of
 * docs/benchmarks.md: the machine, the figures with midge's ratios, what
 * went wrong in which run, and the targets.
 *
 * @example
 * midge bench --markdown bench/results/latest.json
 */
import { readFileSync } from 'node:fs';
import { ownMidgeBuild } from '../brokers/brokers.js';
import { comparedWith, type Results } from './results.js';
import {
  anomalies,
  cpuPerMessage,
  figureCells,
  missedScenarios,
  shownBrokers,
} from './table.js';
import { checkTargets } from './targets.js';

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Which midge was measured: this tree's build, or another one. */
function midgeSource(r: Results): string {
  if (r.midge.build !== ownMidgeBuild()) return `midge from ${r.midge.build}`;
  // An installed package has no tree of its own to name.
  return r.midge.tree === 'unknown'
    ? 'midge as installed'
    : `midge built from this tree at ${r.midge.tree}`;
}

function machineLines(r: Results): string[] {
  const m = r.machine;
  const brokers = r.brokers.map(
    (b) => `${b.name} ${b.unavailable ? '(not run)' : b.version}`,
  );
  return [
    `- Machine: ${m.cpus} cores (\`nproc\`), ${m.cpuModel}, ${m.memoryGiB} GiB, ` +
      `Linux ${m.kernel}`,
    `- Node ${m.node}; ${brokers.join(', ')}; ${midgeSource(r)}`,
    `- ${r.pinning.note}; ${r.workers} generator worker thread(s)`,
    // Results from before --latency-warmup warmed every scenario alike.
    `- ${r.settings.duration} s measured after ${r.settings.warmup} s warm-up ` +
      `(${r.settings.latencyWarmup ?? r.settings.warmup} s for latency) per ` +
      `scenario and broker; run ${r.startedAt} to ${r.finishedAt}`,
  ];
}

function figureRows(r: Results): string[] {
  const shown = shownBrokers(r);
  const compared = comparedWith(r);
  const lines = [
    row(['scenario', 'figure', ...shown, ...compared.map((b) => `midge/${b}`)]),
    row(['---', '---', ...shown.map(() => '---:'), ...compared.map(() => '---:')]),
  ];
  for (const s of r.scenarios) {
    for (const f of s.figures) {
      const arrow = f.better === 'higher' ? '↑' : '↓';
      const label = `${f.metric} ${f.unit} ${arrow}`;
      lines.push(row([s.id, label, ...figureCells(r, s, f.metric)]));
    }
  }
  return lines;
}

export function resultsMarkdown(r: Results): string {
  const checks = checkTargets(r);
  const targets = [
    row(['target', 'scenario', 'status', 'detail']),
    row(['---', '---', '---', '---']),
    ...checks.map((t) => row([t.target, t.scenario, t.status, t.detail])),
  ];
  const notes = anomalies(r).map((line) => `- ${line.replace(/\|/g, '/')}`);
  const cpu = cpuPerMessage(r, missedScenarios(checks)).map((line) => `- ${line}`);
  return [
    ...machineLines(r),
    '',
    ...figureRows(r),
    '',
    'Runs with lost, duplicated, reordered or misrouted messages, errors, or a',
    'busy generator or machine:',
    '',
    ...(notes.length > 0 ? notes : ['- none']),
    '',
    ...targets,
    '',
    ...(cpu.length > 0
      ? ['Broker CPU per delivered message where a target was missed:', '', ...cpu, '']
      : []),
  ].join('\n');
}

/** A results file of any version of `midge bench`, or an error saying why not. */
function readResults(file: string): Results {
  const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Results> | null;
  const shaped =
    data?.tool === 'midge-bench' &&
    Array.isArray(data.scenarios) &&
    Array.isArray(data.brokers);
  if (!shaped) throw new Error('not a results file of midge bench');
  return data as Results;
}

/**
 * `midge bench --markdown FILE`: the section for `file` on stdout, and 0;
 * or one line on stderr and 1 when the file cannot be read or is not a
 * results file.
 */
export function printMarkdown(file: string): number {
  let text: string;
  try {
    text = resultsMarkdown(readResults(file));
  } catch (error) {
    // One line: JSON.parse quotes the start of the file, newlines included.
    const why = (error as Error).message.replace(/\s+/g, ' ');
    process.stderr.write(`bench: ${file}: ${why}\n`);
    return 1;
  }
  process.stdout.write(text);
  return 0;
}
