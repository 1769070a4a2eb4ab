/**
 * DNS SRV lookup, as libmosquitto does it through c-ares:
 * `_mqtt._tcp.<domain>` for plain connections and
 * `_secure-mqtt._tcp.<domain>` for TLS. Targets are ordered as RFC 2782
 * says: lowest priority first, and within one priority a random order
 * weighted by `weight`.
 */

import type { SrvRecord } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { transportError } from '../errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export async function srvTargets(
  domain: string,
  secure: boolean,
  servers?: string[],
): Promise<HostPort[]> {
  const name = `${secure ? '_secure-mqtt' : '_mqtt'}._tcp.${domain}`;
  const resolver = new Resolver({ timeout: 3000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers(servers);
  let records: SrvRecord[];
  try {
    records = await resolver.resolveSrv(name);
  } catch (err) {
    throw transportError('SRV_LOOKUP_FAILED', `SRV lookup of ${name} failed`, err);
  }
  // RFC 2782: a single record with target "." means "no service here".
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  if (usable.length === 0) {
    throw transportError('SRV_LOOKUP_FAILED', `no usable SRV record for ${name}`);
  }
  return orderRecords(usable).map((r) => ({ host: r.name, port: r.port }));
}

/** RFC 2782 order; `random` is injectable for tests. */
export function orderRecords(records: SrvRecord[], random = Math.random): SrvRecord[] {
  const priorities = [...new Set(records.map((r) => r.priority))].sort((a, b) => a - b);
  const ordered: SrvRecord[] = [];
  for (const priority of priorities) {
    const group = records.filter((r) => r.priority === priority);
    while (group.length > 0) {
      const total = group.reduce((sum, r) => sum + r.weight, 0);
      let pick = random() * total;
      let index = group.findIndex((r) => {
        pick -= r.weight;
        return pick < 0;
      });
      if (index < 0) index = 0;
      ordered.push(group.splice(index, 1)[0]!);
    }
  }
  return ordered;
}
