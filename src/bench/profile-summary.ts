/**
 * Summarises a V8 CPU profile (from `--profile`, i.e. node --cpu-prof):
 * the functions with the most self time, merged by name and location.
 *
 * @example
 * node dist/bench/profile-summary.js path/to/CPU.cpuprofile [top]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

function location(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return '(native)';
  const path = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const shown = path.startsWith(root) ? relative(root, path) : path;
  return `${shown}:${frame.lineNumber + 1}`;
}

export function selfTimes(profile: Profile): SelfTime[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    const where = location(frame);
    const key = `${name} ${where}`;
    const entry = totals.get(key) ?? { name, where, ms: 0, share: 0 };
    entry.ms += us / 1000;
    totals.set(key, entry);
  });
  const list = [...totals.values()].sort((a, b) => b.ms - a.ms);
  for (const e of list) e.share = all > 0 ? (e.ms * 1000) / all : 0;
  return list;
}

export function summary(file: string, top = 20): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const rows = selfTimes(profile).slice(0, top);
  return rows
    .map((r) => `${(r.share * 100).toFixed(1).padStart(5)}%  ${r.name}  ${r.where}`)
    .join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write(
      'usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n',
    );
    process.exitCode = 2;
  } else {
    process.stdout.write(`${summary(file, Number(top ?? 20))}\n`);
  }
}
