/**
 * The brokers under test and how to start each one: midge from its build,
 * Mosquitto from Debian's package (or the PATH), Aedes from npm, and, when
 * asked for by name, the Node floor (./floor-relay.ts). Each gets the same
 * minimal setup: one listener on 127.0.0.1, anonymous access, defaults for
 * everything else (limits included), and persistence only when a scenario
 * asks for it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version as packageVersion } from '../../cli/version.js';

export type BrokerName = 'midge' | 'mosquitto' | 'aedes' | 'floor';
export const brokerNames: readonly BrokerName[] = [
  'midge',
  'mosquitto',
  'aedes',
  'floor',
];
/** What runs unless `--brokers` says otherwise: the floor only on request. */
export const defaultBrokers: readonly BrokerName[] = ['midge', 'mosquitto', 'aedes'];

export interface BrokerFeatures {
  persistence: boolean;
  /** The scenario needs retained messages kept and sent to new subscribers. */
  retained: boolean;
  /**
   * QoS 1/2 messages a broker may have unacknowledged per client: its
   * max_inflight_messages, set only when not 0 (the default, 20).
   */
  inflight: number;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  /** A mosquitto.conf-style file to write first, if any. */
  config?: { path: string; text: string };
}

export interface LaunchSettings {
  port: number;
  /** A fresh directory for config, persistence and logs. */
  dir: string;
  features: BrokerFeatures;
  /** Extra node flags for midge (e.g. --cpu-prof). */
  nodeFlags: string[];
}

export interface BrokerDef {
  name: BrokerName;
  /** What runs: an entry script, a binary or a package.json. */
  path(): string;
  /** Why this broker cannot run here, or null. */
  unavailable(): string | null;
  version(): string;
  /** Why `feature` cannot be measured on this broker, or null. */
  lacks(features: BrokerFeatures, settings: LaunchSettings): string | null;
  plan(settings: LaunchSettings): LaunchPlan;
}

// The package root: {src,dist}/bench/brokers/ lie three levels below it.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const ownBuild = `${root}dist/cli/midge.js`;
let midgeEntry = ownBuild;

/** The midge measured unless told otherwise: this package's build. */
export function ownMidgeBuild(): string {
  return ownBuild;
}

/**
 * Measures another build of midge (a snapshot of a commit, say) instead of
 * this tree's dist/, which other work may rebuild during a long run.
 */
export function useMidgeBuild(entry: string): void {
  midgeEntry = entry;
}

export function midgeBuild(): string {
  return midgeEntry;
}

/**
 * Debian's broker where Debian puts it, else the first `mosquitto` on the
 * PATH (sbin directories are often not on a user's PATH).
 */
function findMosquitto(): string {
  const dirs = [
    '/usr/sbin',
    '/usr/local/sbin',
    ...(process.env.PATH ?? '').split(delimiter),
  ];
  for (const dir of dirs) {
    const path = join(dir, 'mosquitto');
    if (dir !== '' && existsSync(path)) return path;
  }
  return '/usr/sbin/mosquitto';
}

const mosquittoPath = findMosquitto();

function confText(s: LaunchSettings): string {
  const lines = [`listener ${s.port} 127.0.0.1`, 'allow_anonymous true'];
  if (s.features.inflight > 0) lines.push(`max_inflight_messages ${s.features.inflight}`);
  if (s.features.persistence) {
    lines.push('persistence true', `persistence_location ${s.dir}/`);
  }
  return `${lines.join('\n')}\n`;
}

const midge: BrokerDef = {
  name: 'midge',
  path: () => midgeEntry,
  unavailable: () =>
    existsSync(midgeEntry) ? null : 'not built: run `npm run build` first',
  version: () => {
    try {
      const out = execFileSync(process.execPath, [midgeEntry, '-h'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      return /version (\S+)/.exec(out)?.[1] ?? 'unknown';
    } catch (error) {
      const out = String((error as { stdout?: string }).stdout ?? '');
      return /version (\S+)/.exec(out)?.[1] ?? 'unknown';
    }
  },
  lacks: (features, settings) => {
    if (!features.persistence) return null;
    // Ask the build measured: --test-config refuses what it cannot do (an
    // older build without persistence), or fails for any other reason,
    // which is then the note.
    const { config } = midge.plan(settings);
    try {
      writeFileSync(config!.path, config!.text);
      execFileSync(process.execPath, [midgeEntry, '-c', config!.path, '--test-config'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return null;
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: Buffer; stderr?: Buffer };
      const said = `${stderr}${stdout}`.trim().split('\n')[0] ?? '';
      return `midge refused the persistence settings (--test-config): ${said}`;
    }
  },
  plan: (s) => {
    const path = `${s.dir}/midge.conf`;
    return {
      command: process.execPath,
      args: [...s.nodeFlags, midgeEntry, '-c', path],
      config: { path, text: confText(s) },
    };
  },
};

const mosquitto: BrokerDef = {
  name: 'mosquitto',
  path: () => mosquittoPath,
  unavailable: () =>
    existsSync(mosquittoPath)
      ? null
      : 'not installed (no mosquitto in /usr/sbin, /usr/local/sbin or PATH)',
  version: () => {
    try {
      execFileSync(mosquittoPath, ['-h'], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const out = String((error as { stdout?: string }).stdout ?? '');
      return /version (\S+)/.exec(out)?.[1] ?? 'unknown';
    }
    return 'unknown';
  },
  lacks: () => null,
  plan: (s) => {
    const path = `${s.dir}/mosquitto.conf`;
    return {
      command: mosquittoPath,
      args: ['-c', path],
      config: { path, text: confText(s) },
    };
  },
};

const aedesScript = fileURLToPath(new URL('./aedes-server.js', import.meta.url));

/**
 * Aedes's package.json, found from the module Node would load from here
 * (its exports do not include package.json itself), or null.
 */
function aedesPackage(): string | null {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('aedes'));
  } catch {
    return null;
  }
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir)
    dir = dirname(dir);
  return join(dir, 'package.json');
}

const aedes: BrokerDef = {
  name: 'aedes',
  path: () => aedesPackage() ?? '',
  unavailable: () =>
    aedesPackage() === null ? 'not installed (npm install aedes beside midge)' : null,
  version: () => {
    try {
      const pkg = readFileSync(aedesPackage() ?? '', 'utf8');
      return (JSON.parse(pkg) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  },
  lacks: (features) =>
    features.persistence
      ? 'no durable persistence package installed (aedes-persistence-*)'
      : null,
  plan: (s) => ({ command: process.execPath, args: [aedesScript, String(s.port)] }),
};

const floorScript = fileURLToPath(new URL('./floor-relay.js', import.meta.url));

const floor: BrokerDef = {
  name: 'floor',
  path: () => floorScript,
  unavailable: () =>
    existsSync(floorScript) ? null : 'not built: run `npm run build` first',
  // It is made of this package's own I/O code, whatever midge is measured.
  version: () => packageVersion,
  lacks: (features) => {
    if (features.persistence) return 'the floor stores nothing (no persistence)';
    if (features.retained) return 'the floor keeps no retained messages';
    return null;
  },
  plan: (s) => ({
    command: process.execPath,
    args: [
      ...s.nodeFlags,
      floorScript,
      String(s.port),
      String(s.features.inflight || 20),
    ],
  }),
};

export const brokerDefs: Record<BrokerName, BrokerDef> = {
  midge,
  mosquitto,
  aedes,
  floor,
};
