/**
 * The targets of the issue "Benchmarks and speed", checked against a run:
 * met, missed, or n/a when a figure needed for the check is missing.
 */
import type { BrokerName } from '../brokers/brokers.js';
import { compact } from './format.js';
import {
  caveat,
  figureOf,
  type Results,
  ratioOf,
  runOf,
  type ScenarioResult,
  type TargetCheck,
} from './results.js';

function versus(
  s: ScenarioResult,
  metric: string,
  other: BrokerName,
  factor: number,
  target: string,
): TargetCheck {
  const r = ratioOf(s, other, metric);
  if (r === null) {
    return {
      target,
      scenario: s.id,
      status: 'n/a',
      detail: `no ${metric} figure to compare`,
    };
  }
  const lower = s.figures.find((f) => f.metric === metric)?.better === 'lower';
  const meets = (x: number) => (lower ? x <= factor : x >= factor);
  const met = meets(r);
  const doubt = [caveat(s, 'midge'), caveat(s, other)].filter(Boolean).join(', ');
  const unsure = doubt ? ` (unsure: ${doubt})` : '';
  const floor = floorNote(s, metric, other, meets, met);
  return {
    target,
    scenario: s.id,
    status: met ? 'met' : 'missed',
    detail: `${metric}: midge/${other} = ${r.toFixed(2)}${unsure}${floor}`,
  };
}

/**
 * The floor's own ratio, when it ran: can any broker on Node meet the
 * target? The floor runs apart from midge, so its figure has its own
 * noise and its own doubts; a floor that misses a target midge met says
 * the two figures are level within that noise, not that midge got past
 * Node, and must not read as "too".
 */
function floorNote(
  s: ScenarioResult,
  metric: string,
  other: BrokerName,
  meets: (ratio: number) => boolean,
  midgeMet: boolean,
): string {
  const r = ratioOf(s, other, metric, 'floor');
  if (r === null) return '';
  const notes: string[] = [];
  if (!meets(r)) {
    notes.push(
      midgeMet ? 'the floor misses it, midge does not' : 'the floor misses it too',
    );
  }
  const doubt = caveat(s, 'floor');
  if (doubt) notes.push(`unsure: ${doubt}`);
  const said = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  return `; floor/${other} = ${r.toFixed(2)}${said}`;
}

function throughputChecks(s: ScenarioResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const f of s.figures) {
    if (f.unit !== 'msg/s' || f.informational) continue;
    checks.push(versus(s, f.metric, 'aedes', 2, '>= 2x Aedes'));
    checks.push(versus(s, f.metric, 'mosquitto', 1.5, '>= 1.5x Mosquitto'));
  }
  return checks;
}

function noLoss(s: ScenarioResult): TargetCheck {
  const target = 'no QoS 1 message dropped';
  const i = runOf(s, 'midge')?.outcome?.integrity;
  if (!i) return { target, scenario: s.id, status: 'n/a', detail: 'no midge run' };
  const ok = i.lost === 0 && i.duplicates === 0;
  return {
    target,
    scenario: s.id,
    status: ok ? 'met' : 'missed',
    detail: `lost ${i.lost} of ${i.expected}, duplicated ${i.duplicates}`,
  };
}

function idleMemory(s: ScenarioResult): TargetCheck {
  const target = '<= 6 KiB per idle connection';
  const v = figureOf(s, 'midge', 'memory');
  if (v === null) return { target, scenario: s.id, status: 'n/a', detail: 'no figure' };
  return {
    target,
    scenario: s.id,
    status: v <= 6 ? 'met' : 'missed',
    detail: `midge ${compact(v)} KiB/conn`,
  };
}

/**
 * Throughput does not fall as queues deepen: midge with `depth` messages
 * in flight against midge with the default 20 (1to1-q1-16B, the same
 * flow), when both ran.
 */
function deeper(s: ScenarioResult, results: Results): TargetCheck {
  const target = 'no slower with more in flight';
  const shallow = results.scenarios.find((x) => x.id === '1to1-q1-16B');
  const deep = figureOf(s, 'midge', 'delivered');
  const base = shallow === undefined ? null : figureOf(shallow, 'midge', 'delivered');
  if (deep === null || base === null || base === 0) {
    return { target, scenario: s.id, status: 'n/a', detail: 'needs 1to1-q1-16B too' };
  }
  const r = deep / base;
  return {
    target,
    scenario: s.id,
    status: r >= 1 ? 'met' : 'missed',
    detail: `delivered: midge here / midge at 20 in flight = ${r.toFixed(2)}`,
  };
}

export function checkTargets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const s of results.scenarios) {
    if (s.kind === 'throughput' || s.kind === 'persistence') {
      checks.push(...throughputChecks(s));
    }
    if (/^(1to1|fan-in)-q[01]/.test(s.id)) {
      checks.push(
        versus(s, 'delivered', 'mosquitto', 2, '1->1, fan-in QoS 0/1 >= 2x Mosquitto'),
      );
    }
    if (s.id === 'fan-in-q1') checks.push(noLoss(s));
    if (s.id.startsWith('inflight-q1-')) checks.push(deeper(s, results));
    if (s.id === 'latency-q1') {
      checks.push(
        versus(s, 'p99', 'mosquitto', 1, 'p99 at fixed rate QoS 1 <= Mosquitto'),
      );
    }
    if (s.id === 'idle-conns') checks.push(idleMemory(s));
    if (s.id === 'conn-storm') {
      checks.push(
        versus(s, 'connections', 'mosquitto', 0.5, ">= half Mosquitto's conn rate"),
      );
    }
  }
  return checks;
}
