/**
 * The brokers under test and how to start each one: midge from its build,
 * Mosquitto from Debian's package, Aedes from npm. Each gets the same
 * minimal setup: one listener on 127.0.0.1, anonymous access, defaults for
 * everything else (limits included), and persistence only when a scenario
 * asks for it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export type BrokerName = 'midge' | 'mosquitto' | 'aedes';
export const brokerNames: readonly BrokerName[] = ['midge', 'mosquitto', 'aedes'];

export interface BrokerFeatures {
  persistence: boolean;
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
  /** Why this broker cannot run here, or null. */
  unavailable(): string | null;
  version(): string;
  /** Why `feature` cannot be measured on this broker, or null. */
  lacks(features: BrokerFeatures, settings: LaunchSettings): string | null;
  plan(settings: LaunchSettings): LaunchPlan;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
let midgeEntry = `${root}dist/cli/midge.js`;

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
const mosquittoPath = '/usr/sbin/mosquitto';

function confText(s: LaunchSettings): string {
  const lines = [`listener ${s.port} 127.0.0.1`, 'allow_anonymous true'];
  if (s.features.persistence) {
    lines.push('persistence true', `persistence_location ${s.dir}/`);
  }
  return `${lines.join('\n')}\n`;
}

const midge: BrokerDef = {
  name: 'midge',
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
    // Ask midge itself: --test-config refuses options it has not built yet,
    // so this turns into a real figure the day persistence lands.
    const { config } = midge.plan(settings);
    try {
      writeFileSync(config!.path, config!.text);
      execFileSync(process.execPath, [midgeEntry, '-c', config!.path, '--test-config'], {
        stdio: 'ignore',
      });
      return null;
    } catch {
      return 'midge has no persistence yet';
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
  unavailable: () =>
    existsSync(mosquittoPath) ? null : `not installed (${mosquittoPath} missing)`,
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

const aedesScript = fileURLToPath(new URL('./aedes-server.mjs', import.meta.url));

const aedes: BrokerDef = {
  name: 'aedes',
  unavailable: () =>
    existsSync(`${root}node_modules/aedes/package.json`)
      ? null
      : 'not installed (npm install)',
  version: () => {
    try {
      const pkg = readFileSync(`${root}node_modules/aedes/package.json`, 'utf8');
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

export const brokerDefs: Record<BrokerName, BrokerDef> = { midge, mosquitto, aedes };
