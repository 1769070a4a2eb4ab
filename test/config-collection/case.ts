/**
 * One file of the collection and the check a user of that deployment
 * would make, with the small helpers the checks share.
 */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Run, RunningBroker } from './collection.js';

export interface Case {
  file: string;
  /** Started first from the same run: the remote broker of a bridge. */
  remote?: string;
  check(t: TestContext, run: Run, broker: RunningBroker): Promise<void>;
  /** Lines Debian's mosquitto 2.0.11 does not know (2.1 only), left out for it. */
  only21?: string[];
  /** Run through Debian's mosquitto with the same check, or a narrower one and why. */
  mosquitto: 'same' | { check: Case['check']; why: string };
  /** Set while midge fails the file: the exact reason. */
  todo?: string;
}

export const certFile = (run: Run, name: string) => join(run.dir, 'certs', name);

/** mosquitto_pub/sub words for a client certificate of certs/. */
export function withCert(run: Run, name: string): string[] {
  const cafile = certFile(run, 'ca.crt');
  return ['--cafile', cafile, '--cert', certFile(run, `${name}.crt`)].concat([
    '--key',
    certFile(run, `${name}.key`),
  ]);
}

export function sorted(lines: string[]): string[] {
  return [...lines].sort();
}
