/** The scenario list, in the order they run. */
import { connectionStorm, idleConnections } from './connections.js';
import {
  fanIn,
  fanOut,
  inflightDepth,
  latency,
  oneToOne,
  pairs,
  persistent,
  wildcards,
} from './messaging.js';
import { retainedStorm } from './retained.js';
import type { Scenario, Settings } from './types.js';

export function allScenarios(s: Settings): Scenario[] {
  return [
    oneToOne(0, 16),
    oneToOne(0, 1024),
    oneToOne(0, 65536),
    oneToOne(1, 16),
    oneToOne(1, 65536),
    oneToOne(2, 16),
    oneToOne(2, 65536),
    inflightDepth(1000),
    inflightDepth(10_000),
    fanIn(s.fan, 0),
    fanIn(s.fan, 1),
    fanOut(s.fan, 0),
    fanOut(s.fan, 1),
    pairs(s.fan, 0),
    pairs(s.fan, 1),
    wildcards(),
    retainedStorm(s.retained, s.retainedSubscribers),
    connectionStorm(s.stormConcurrency),
    idleConnections(s.idle),
    latency(0, s.rate),
    latency(1, s.rate),
    persistent(),
  ];
}

/** Scenarios whose id is, or else contains, one of `filters` (all when empty). */
export function selectScenarios(all: Scenario[], filters: string[]): Scenario[] {
  if (filters.length === 0) return all;
  // A whole id names that scenario alone: `inflight-q1-1000` is also part
  // of `inflight-q1-10000`, which could not be left out otherwise.
  const matches = (id: string, f: string) =>
    all.some((s) => s.id === f) ? id === f : id.includes(f);
  return all.filter((s) => filters.some((f) => matches(s.id, f)));
}
