/**
 * The terminal report: every figure per broker with midge's ratio to
 * Mosquitto and to Aedes, then the runs whose messages did not all arrive
 * exactly once and in order, and the runs worth a second look.
 */
import { type BrokerName, brokerNames } from '../brokers/brokers.js';
import { compact, layout, ratio } from './format.js';
import {
  comparedWith,
  contended,
  figureOf,
  generatorBoundRun,
  type Results,
  ratioOf,
  type ScenarioResult,
  stolen,
  whyMissing,
} from './results.js';

export const shortName: Record<BrokerName, string> = {
  midge: 'midge',
  mosquitto: 'mosq',
  aedes: 'aedes',
  floor: 'floor',
};

function metricLabel(f: { metric: string; unit: string; better: string }): string {
  return `${f.metric} ${f.unit} ${f.better === 'higher' ? '^' : 'v'}`;
}

/** The brokers of a run, in the tables' order. */
export function shownBrokers(results: Results): BrokerName[] {
  return brokerNames.filter((b) => results.brokers.some((i) => i.name === b));
}

/**
 * One figure's cells, for the terminal and the Markdown tables alike: each
 * broker's value (or why there is none), then midge's ratios.
 */
export function figureCells(
  results: Results,
  s: ScenarioResult,
  metric: string,
): string[] {
  return [
    ...shownBrokers(results).map((b) => {
      const v = figureOf(s, b, metric);
      return v === null ? whyMissing(s, b, metric) : compact(v);
    }),
    ...comparedWith(results).map((b) => ratio(ratioOf(s, b, metric))),
  ];
}

export function figureRows(results: Results, s: ScenarioResult): string[][] {
  return s.figures.map((f) => [
    s.id,
    metricLabel(f),
    ...figureCells(results, s, f.metric),
  ]);
}

export function header(results: Results): string[] {
  const shown = shownBrokers(results);
  const ratios = comparedWith(results).map((b) => `midge/${shortName[b]}`);
  return ['scenario', 'figure', ...shown, ...ratios];
}

export function figureTable(results: Results, scenarios = results.scenarios): string {
  const rows = [header(results), ...scenarios.flatMap((s) => figureRows(results, s))];
  return layout(rows);
}

/** Lines about lost, duplicated, reordered or misrouted messages and errors. */
export function anomalies(results: Results): string[] {
  const lines: string[] = [];
  for (const s of results.scenarios) {
    for (const run of s.runs) {
      const where = `${s.id} on ${run.broker}`;
      if (run.failed) lines.push(`${where}: failed: ${run.failed}`);
      const o = run.outcome;
      if (!o) continue;
      const i = o.integrity;
      if (i && (i.lost || i.duplicates || i.reordered || i.unexpected)) {
        const pct =
          i.expected > 0 ? ` (${((100 * i.lost) / i.expected).toFixed(2)}%)` : '';
        lines.push(
          `${where}: lost ${i.lost.toLocaleString('en')} of ` +
            `${i.expected.toLocaleString('en')}${pct}, duplicated ${i.duplicates}, ` +
            `out of order ${i.reordered}, misrouted ${i.unexpected}`,
        );
      }
      for (const e of o.errors.slice(0, 3)) lines.push(`${where}: ${e}`);
      const load = o.load;
      if (load && stolen(o) > contended) {
        const onBroker = load.othersOnBrokerCore;
        const detail =
          onBroker === null ? '' : `, ${onBroker.toFixed(2)} on the broker's`;
        lines.push(
          `${where}: other processes took ${load.others.toFixed(2)} cores` +
            `${detail} during the window: figure unreliable`,
        );
      }
      if (generatorBoundRun(o)) {
        lines.push(
          `${where}: generator ${Math.round(100 * o.generatorBusy!)}% busy; ` +
            'the figure may be the generator limit',
        );
      }
    }
  }
  return lines;
}

export function targetTable(results: Results): string {
  const rows = [['target', 'scenario', 'status', 'detail']];
  for (const t of results.targets) rows.push([t.target, t.scenario, t.status, t.detail]);
  return layout(rows, 4);
}

/**
 * Each broker's CPU per delivered message, in user space and in the
 * kernel, for the flows among the scenarios of `ids` (those with a missed
 * target), when the window was long enough to count CPU time in: the
 * kernel's part is work no broker on the same system calls can shed, so
 * it says how far a target is from reach.
 */
export function cpuPerMessage(results: Results, ids: ReadonlySet<string>): string[] {
  const lines: string[] = [];
  // CPU times come in clock ticks (10 ms): a shorter window says nothing.
  if ((results.settings?.duration ?? Number.POSITIVE_INFINITY) < 1) return lines;
  for (const s of results.scenarios) {
    if (!ids.has(s.id)) continue;
    for (const run of s.runs) {
      const o = run.outcome;
      const rate = figureOf(s, run.broker, 'delivered');
      const cpu = o?.brokerCpu;
      const system = o?.brokerSystemCpu;
      if (rate === null || !(rate > 0) || cpu === undefined || system === undefined) {
        continue;
      }
      const us = (cores: number) => ((Math.max(0, cores) / rate) * 1e6).toFixed(1);
      lines.push(
        `${s.id} on ${run.broker}: ${us(cpu - system)} µs user + ${us(system)} µs ` +
          `system per message (${Math.round(cpu * 100)}% of a core)`,
      );
    }
  }
  return lines;
}

/** The scenarios with a target missed. */
export function missedScenarios(
  targets: readonly { scenario: string; status: string }[],
): Set<string> {
  return new Set(targets.filter((t) => t.status === 'missed').map((t) => t.scenario));
}
