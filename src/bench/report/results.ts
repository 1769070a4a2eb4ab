/** The shape of a run's results (also the JSON file) and lookups on it. */
import type { BrokerName } from '../brokers/brokers.js';
import type { Machine, Pinning } from '../machine.js';
import type { Figure, Kind, Outcome, Settings } from '../scenarios/types.js';

export interface BrokerRun {
  broker: BrokerName;
  outcome: Outcome | null;
  /** Why there is no outcome: broker or feature not available, or a failure. */
  skipped?: string;
  failed?: string;
  /** Wall-clock seconds the run took, broker start and stop included. */
  seconds?: number;
}

export interface ScenarioResult {
  id: string;
  title: string;
  kind: Kind;
  figures: Omit<Figure, 'value'>[];
  runs: BrokerRun[];
}

export interface BrokerInfo {
  name: BrokerName;
  version: string;
  unavailable: string | null;
  /** What was run: midge's entry, Mosquitto's binary, Aedes's package. */
  path?: string;
}

export interface TargetCheck {
  target: string;
  scenario: string;
  status: 'met' | 'missed' | 'n/a';
  detail: string;
}

export interface Results {
  tool: 'midge-bench';
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  pinning: Pinning;
  workers: number;
  settings: Settings;
  /** Which midge: the entry point run and the commit of this tree. */
  midge: { build: string; tree: string };
  brokers: BrokerInfo[];
  scenarios: ScenarioResult[];
  targets: TargetCheck[];
}

export function runOf(s: ScenarioResult, broker: BrokerName): BrokerRun | undefined {
  return s.runs.find((r) => r.broker === broker);
}

/** A measured figure, or null (not run, not available, failed). */
export function figureOf(
  s: ScenarioResult,
  broker: BrokerName,
  metric: string,
): number | null {
  const figure = runOf(s, broker)?.outcome?.figures.find((f) => f.metric === metric);
  const v = figure?.value;
  return v === undefined || v === null || !Number.isFinite(v) ? null : v;
}

/** midge's figure divided by another broker's, or null. */
export function ratioOf(
  s: ScenarioResult,
  other: BrokerName,
  metric: string,
  of: BrokerName = 'midge',
): number | null {
  const mine = figureOf(s, of, metric);
  const theirs = figureOf(s, other, metric);
  if (mine === null || theirs === null || theirs === 0) return null;
  return mine / theirs;
}

/**
 * The brokers midge's figures are divided by in the tables: Mosquitto,
 * Aedes and the floor, those the run asked for (a broker asked for but
 * not installed keeps its column, which says so).
 */
export function comparedWith(results: Pick<Results, 'brokers'>): BrokerName[] {
  const asked = (name: BrokerName) => results.brokers.some((b) => b.name === name);
  return (['mosquitto', 'aedes', 'floor'] as const).filter(asked);
}

/**
 * Cores' worth of CPU taken by others, on the broker's core (or anywhere
 * when not pinned), above which a figure is doubtful. Others on the
 * generator's cores show up as a busy generator instead.
 */
export const contended = 0.1;

/** CPU other processes took from the broker, in cores. */
export function stolen(o: Outcome): number {
  return o.load?.othersOnBrokerCore ?? o.load?.others ?? 0;
}
/** Generator thread use above which a figure may be the generator's limit. */
export const generatorBound = 0.9;

/**
 * Broker CPU, in cores, from which a broker pinned to one core is at its
 * own limit: a broker that busy could not have gone faster, however busy
 * the generator was (a broker that writes each packet on its own keeps
 * the generator busy reading them). Unpinned, a Node broker's helper
 * threads can add up to that with its main thread still idle at times,
 * so there the figure says nothing.
 */
export const brokerSaturated = 0.9;

/** The generator was at its limit and the broker was not known to be. */
export function generatorBoundRun(o: Outcome): boolean {
  if ((o.generatorBusy ?? 0) <= generatorBound) return false;
  const cpu = o.brokerCpu;
  const saturated =
    o.brokerPinned === true &&
    typeof cpu === 'number' &&
    Number.isFinite(cpu) &&
    cpu >= brokerSaturated;
  return !saturated;
}

/** Why a run's figures are doubtful, or null. */
export function caveat(s: ScenarioResult, broker: BrokerName): string | null {
  const run = runOf(s, broker);
  const o = run?.outcome;
  if (!o) return null;
  if (run?.failed) return `${broker} run failed`;
  if (stolen(o) > contended) return `${broker} run shared its core`;
  if (generatorBoundRun(o)) return `${broker} run generator-bound`;
  return null;
}

/** Why a cell is empty, in a few words. */
export function whyMissing(
  s: ScenarioResult,
  broker: BrokerName,
  metric: string,
): string {
  const run = runOf(s, broker);
  if (!run) return '-';
  if (run.skipped) return 'n/a';
  if (run.failed) return 'failed';
  const figure = run.outcome?.figures.find((f) => f.metric === metric);
  return figure?.note ? 'n/a' : 'failed';
}
