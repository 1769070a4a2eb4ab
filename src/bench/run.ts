/**
 * `midge bench` (`npm run bench` in a clone): runs every scenario against
 * midge, Mosquitto and Aedes, shows progress, prints a table of figures
 * with midge's ratios, and writes results.json plus one SVG chart per
 * scenario.
 *
 * @example
 * midge bench --scenarios 1to1,fan-in --duration 5
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopLiveBrokers } from './brokers/broker-process.js';
import { brokerDefs, midgeBuild, useMidgeBuild } from './brokers/brokers.js';
import { GeneratorPool } from './gen/pool.js';
import {
  describeMachine,
  type Machine,
  type Pinning,
  pinSelf,
  planPinning,
} from './machine.js';
import { helpText, type Options, parseOptions } from './options.js';
import { compact, ratio } from './report/format.js';
import { printMarkdown } from './report/markdown.js';
import { Progress } from './report/progress.js';
import type { BrokerInfo, Results, ScenarioResult } from './report/results.js';
import { comparedWith, figureOf, ratioOf, whyMissing } from './report/results.js';
import { scenarioChart } from './report/svg.js';
import {
  anomalies,
  cpuPerMessage,
  figureTable,
  missedScenarios,
  shortName,
  targetTable,
} from './report/table.js';
import { checkTargets } from './report/targets.js';
import { Runner } from './runner.js';
import { allScenarios, selectScenarios } from './scenarios/index.js';
import type { Scenario } from './scenarios/types.js';

// The package root: src/bench/ or dist/bench/ lie two levels below it.
const root = fileURLToPath(new URL('../../', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, t);
  }
  return newest;
}

/** A warning when src/ changed after the last build of midge. */
function staleBuild(): string | null {
  try {
    const built = statSync(join(root, 'dist/cli/midge.js')).mtimeMs;
    if (newestMtime(join(root, 'src')) > built) {
      return (
        'warning: src/ is newer than dist/: ' +
        'run `npm run build` to measure the current code'
      );
    }
  } catch {
    // No build at all is reported as midge being unavailable.
  }
  return null;
}

/**
 * This tree's commit, marked when src/ has changes not committed; unknown
 * for an installed package (whose enclosing repository is someone else's).
 */
function gitHead(): string {
  if (!existsSync(join(root, '.git'))) return 'unknown';
  try {
    const git = (args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' }).trim();
    const head = git(['rev-parse', '--short', 'HEAD']);
    return git(['status', '--porcelain', 'src']) ? `${head} + uncommitted src/` : head;
  } catch {
    return 'unknown';
  }
}

/** One line per figure as a scenario completes. */
function scenarioLines(s: ScenarioResult, brokers: BrokerInfo[]): string[] {
  return s.figures.map((f) => {
    const cells = brokers.map((b) => {
      const v = figureOf(s, b.name, f.metric);
      return `${b.name} ${v === null ? whyMissing(s, b.name, f.metric) : compact(v)}`;
    });
    // The same ratios as the table's columns, for the brokers asked for.
    const ratios = comparedWith({ brokers })
      .map((b) => `midge/${shortName[b]} ${ratio(ratioOf(s, b, f.metric))}`)
      .join(', ');
    const figure = `${f.metric} ${f.unit}`.padEnd(16);
    const line = `${s.id.padEnd(16)} ${figure} ${cells.join(' | ')}`;
    return ratios === '' ? line : `${line}  (${ratios})`;
  });
}

function describe(machine: Machine, pinning: Pinning, o: Options, brokers: BrokerInfo[]) {
  const lines = [
    `machine: ${machine.cpus} cores, ${machine.cpuModel}, ${machine.memoryGiB} GiB, ` +
      `Linux ${machine.kernel}, node ${machine.node}`,
    `pinning: ${pinning.note}; generator: ${o.workers} worker thread(s)`,
  ];
  for (const b of brokers) {
    lines.push(
      `broker ${b.name}: ${b.unavailable ? `skipped: ${b.unavailable}` : b.version}`,
    );
  }
  return lines;
}

/** Creates the results directory, or says why it cannot. */
function makeDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch (error) {
    process.stderr.write(`bench: cannot create ${dir}: ${(error as Error).message}\n`);
    return false;
  }
}

function writeOutputs(results: Results, dir: string, out: string): void {
  const json = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(join(dir, 'results.json'), json);
  writeFileSync(join(out, 'latest.json'), json);
  mkdirSync(join(dir, 'svg'), { recursive: true });
  const shown = results.brokers.map((b) => b.name);
  for (const s of results.scenarios) {
    writeFileSync(join(dir, 'svg', `${s.id}.svg`), scenarioChart(s, shown));
  }
}

async function runAll(
  scenarios: Scenario[],
  runner: Runner,
  brokers: BrokerInfo[],
  progress: Progress,
): Promise<ScenarioResult[]> {
  const done: ScenarioResult[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const result: ScenarioResult = {
      id: scenario.id,
      title: scenario.title,
      kind: scenario.kind,
      figures: scenario.figures,
      runs: [],
    };
    for (const b of brokers) {
      progress.begin(`[${i + 1}/${scenarios.length}] ${scenario.id} ${b.name}`);
      const started = performance.now();
      const run = await runner.run(scenario, brokerDefs[b.name]);
      run.seconds = Math.round(performance.now() - started) / 1000;
      result.runs.push(run);
    }
    done.push(result);
    for (const line of scenarioLines(result, brokers)) progress.line(line);
  }
  return done;
}

/**
 * The brokers are children of this process: a signal to it alone (`kill`,
 * a timeout, a supervisor) must not leave them running.
 */
function stopBrokersOnSignal(): void {
  for (const [signal, status] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      stopLiveBrokers();
      process.exit(status);
    });
  }
}

/**
 * 1 when midge, asked for, could not run or failed a run: what the bench
 * measures did not work. Another broker failing is a finding about that
 * broker, reported in the tables, not a failure of the run.
 */
function exitStatus(results: Results): number {
  const midge = results.brokers.find((b) => b.name === 'midge');
  if (midge === undefined) return 0;
  if (midge.unavailable !== null) return 1;
  const failed = results.scenarios.some((s) =>
    s.runs.some((r) => r.broker === 'midge' && r.failed !== undefined),
  );
  return failed ? 1 : 0;
}

/**
 * What the command line asks for that needs no run (help, Markdown, the
 * list) or that stops it (no scenario, a missing --midge): its status,
 * or null to go on.
 */
function answerWithoutRunning(options: Options, scenarios: Scenario[]): number | null {
  if (options.help) {
    process.stdout.write(helpText());
    return 0;
  }
  if (options.markdown !== null) return printMarkdown(options.markdown);
  if (options.list || scenarios.length === 0) {
    for (const s of scenarios) process.stdout.write(`${s.id.padEnd(18)} ${s.title}\n`);
    if (scenarios.length === 0) process.stderr.write('bench: no scenario matches\n');
    return scenarios.length === 0 ? 2 : 0;
  }
  if (options.midge) {
    const entry = resolve(options.midge);
    // Refused up front: otherwise every midge run says "not built".
    if (!existsSync(entry)) {
      process.stderr.write(`bench: --midge: no such file: ${entry}\n`);
      return 2;
    }
    useMidgeBuild(entry);
  }
  return null;
}

function brokerInfos(options: Options): BrokerInfo[] {
  return options.brokers.map((name) => {
    const def = brokerDefs[name];
    const unavailable = def.unavailable();
    const version = unavailable ? 'n/a' : def.version();
    return { name, unavailable, version, path: def.path() };
  });
}

/** The tables, the notes and where everything went, on stdout. */
function printReport(results: Results, dir: string, options: Options): void {
  const out = process.stdout;
  out.write(`\n${figureTable(results)}\n`);
  const notes = anomalies(results);
  if (notes.length > 0) out.write(`\nintegrity and errors:\n  ${notes.join('\n  ')}\n`);
  if (results.targets.length > 0) out.write(`\ntargets:\n${targetTable(results)}\n`);
  const cpu = cpuPerMessage(results, missedScenarios(results.targets));
  if (cpu.length > 0) {
    out.write(`\nbroker CPU where a target was missed:\n  ${cpu.join('\n  ')}\n`);
  }
  out.write(`\nresults: ${join(dir, 'results.json')}\ncharts: ${join(dir, 'svg')}/\n`);
  if (options.profile) {
    out.write(`profiles: beside midge.log in ${join(dir, 'brokers')}/*/\n`);
  }
}

/** Runs every scenario on every broker, however the run ends. */
async function measure(
  scenarios: Scenario[],
  brokers: BrokerInfo[],
  options: Options,
  pinning: Pinning,
  progress: Progress,
  dir: string,
): Promise<ScenarioResult[]> {
  const pool = new GeneratorPool(options.workers);
  const runner = new Runner(options, pool, pinning, progress, dir);
  try {
    return await runAll(scenarios, runner, brokers, progress);
  } finally {
    progress.clear();
    await runner.stopAll();
    await pool.close();
  }
}

export async function runBench(argv: string[]): Promise<number> {
  // `midge bench --list | head -1`: a reader that goes away ends the bench
  // quietly, as other commands end when their pipe closes.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stopLiveBrokers();
    process.exit(0);
  });
  const machine = describeMachine();
  let options: Options;
  try {
    options = parseOptions(argv, machine.cpus);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  const scenarios = selectScenarios(allScenarios(options.settings), options.scenarios);
  const answer = answerWithoutRunning(options, scenarios);
  if (answer !== null) return answer;
  // CPU time, memory and the machine's load all come from /proc.
  if (process.platform !== 'linux') {
    process.stderr.write(`bench: not supported on ${process.platform}: it needs Linux\n`);
    return 1;
  }
  const pinning = planPinning(machine, options.pin);
  pinSelf(pinning);
  const brokers = brokerInfos(options);
  const startedAt = new Date();
  // Absolute: brokers run in directories of their own and read paths under it.
  options.out = resolve(options.out);
  const dir = join(options.out, startedAt.toISOString().replace(/[:.]/g, '-'));
  if (!makeDir(dir)) return 1;
  stopBrokersOnSignal();
  const progress = new Progress(process.stdout, options.quiet);
  for (const line of describe(machine, pinning, options, brokers)) progress.line(line);
  const stale = options.midge ? null : staleBuild();
  if (stale && brokers.some((b) => b.name === 'midge')) progress.line(stale);
  const done = await measure(scenarios, brokers, options, pinning, progress, dir);
  const results: Results = {
    tool: 'midge-bench',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    pinning,
    workers: options.workers,
    settings: options.settings,
    midge: { build: midgeBuild(), tree: gitHead() },
    brokers,
    scenarios: done,
    targets: [],
  };
  results.targets = checkTargets(results);
  writeOutputs(results, dir, options.out);
  printReport(results, dir, options);
  return exitStatus(results);
}
