#!/usr/bin/env node
import { type BridgeManager, bridgeErrors } from '../bridge/index.js';
/**
 * `midge`: the broker command, with Mosquitto's flags and start-up lines.
 * Exit codes follow Mosquitto: 0 after a clean stop, 3 for a bad command
 * line or configuration, 13 when security files or plugins cannot be
 * loaded, 1 when a listener cannot be opened.
 */
import {
  brokerOptions,
  type CommandLine,
  CommandLineError,
  type Config,
  ConfigError,
  defaultConfig,
  loadConfig,
  parseCommandLine,
  unsupportedOptions,
  usage,
} from '../config/index.js';
import { BindError } from '../listeners/bind.js';
import { type Logger, LogType } from '../log/log-types.js';
import { BrokerLogger } from '../log/logger.js';
import { openPersistence, type Persistence } from '../persistence/index.js';
import { scopeSources } from '../security/build-scopes.js';
import { createSecurity, type Security } from '../security/index.js';
import { loadScopeFiles } from '../security/load-files.js';
import { Server } from '../server.js';
import { SysTree } from '../sys/sys-tree.js';
import { subscriptionDump } from '../sys/tree-dump.js';
import { startBridges } from './bridges.js';
import { daemonize, dropPrivileges, notifySystemd, writePidFile } from './process.js';
import { builtFeatures, loggerOptions, serverSpec } from './server-spec.js';
import { version } from './version.js';

const exitConfigError = 3;
const exitSecurityError = 13;

/** A part of the broker that applies a reloaded configuration. */
type Reloader = (config: Config) => void;

function fail(log: (line: string) => void, lines: string[], code: number): never {
  for (const line of lines) log(line);
  process.exit(code);
}

/** Before the logger exists, errors go to stderr with a timestamp. */
function early(line: string): void {
  process.stderr.write(`${Math.floor(Date.now() / 1000)}: ${line}\n`);
}

function readConfig(command: CommandLine): Config {
  if (!command.configFile) return defaultConfig();
  try {
    return loadConfig(command.configFile);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const where = error.line > 0 ? [`Error found at ${error.file}:${error.line}.`] : [];
    fail(early, [`Error: ${error.reason}`, ...where], exitConfigError);
  }
}

/**
 * What stops a configuration that reads well from being used, at start-up
 * or on a reload: options whose feature is not built, bad bridge settings.
 */
function configProblems(config: Config): string[] {
  const unbuilt = unsupportedOptions(config, builtFeatures).map(
    (m) =>
      `${m.file}:${m.line}: option ${m.option} is not supported yet ` +
      `(needs midge's ${m.feature} support)`,
  );
  return [...unbuilt, ...bridgeErrors(config.bridges)];
}

function logStart(log: Logger, config: Config): void {
  log.write(LogType.Notice, `midge version ${version} starting`);
  if (config.file) {
    log.write(LogType.Notice, `Config loaded from ${config.file}.`);
  } else {
    log.write(LogType.Notice, 'Using default config.');
  }
  for (const warning of config.warnings) {
    log.write(
      LogType.Warning,
      `Warning: ${warning.file}:${warning.line}: ${warning.message}`,
    );
  }
  if (config.localOnly) {
    log.write(
      LogType.Notice,
      'Starting in local only mode. Connections will only be possible from ' +
        'clients running on this machine.',
    );
    log.write(
      LogType.Notice,
      'Create a configuration file which defines a listener to allow remote access.',
    );
  }
}

/** What a running broker holds, to be let go of at the end. */
interface Running {
  command: CommandLine;
  server: Server;
  log: BrokerLogger;
  sys: SysTree;
  /** What else takes part in a reload (security files, certificates, bridges). */
  reloaders: Reloader[];
  bridges?: BridgeManager;
  removePidFile?: () => void;
  persistence?: Persistence;
  security?: Security;
}

function handleSignals(running: Running): void {
  const { server, log, sys } = running;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.write(LogType.Notice, `midge version ${version} terminating`);
    sys.stop();
    await running.bridges?.stop();
    await server.stop();
    await running.security?.close();
    // After the broker: the sessions its close detached are saved too.
    running.persistence?.close();
    running.removePidFile?.();
    log.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', () => reload(running));
  process.on('SIGUSR1', () => running.persistence?.checkpoint());
  process.on('SIGUSR2', () => {
    for (const line of subscriptionDump(server.broker)) log.write(LogType.Notice, line);
  });
}

/**
 * SIGHUP: read the configuration again and apply what Mosquitto applies on
 * a reload. Listener settings stay as they are. A file that no longer
 * reads keeps the running configuration.
 */
function reload(running: Running): void {
  const { log, command } = running;
  log.write(LogType.Notice, 'Reloading config.');
  if (!command.configFile) {
    log.reopen();
    return;
  }
  let config: Config;
  try {
    config = loadConfig(command.configFile);
    const problem = configProblems(config)[0];
    if (problem !== undefined) throw new Error(problem);
  } catch (error) {
    log.write(
      LogType.Error,
      'Error: Unable to reload configuration, keeping the running one: ' +
        (error as Error).message,
    );
    return;
  }
  log.reopen(loggerOptions(config, command));
  running.server.broker.reconfigure(brokerOptions(config));
  running.sys.setInterval(config.sysInterval);
  for (const reloader of running.reloaders) reloader(config);
}

function parseArguments(): CommandLine {
  try {
    return parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    process.stderr.write(`${error.message}\n`);
    if (error.showUsage) process.stdout.write(usage(version));
    process.exit(exitConfigError);
  }
}

/** Opens the listeners and starts the $SYS tree; exits on failure. */
async function run(config: Config, command: CommandLine): Promise<Running> {
  const log = new BrokerLogger(loggerOptions(config, command));
  logStart(log, config);
  const removePidFile = config.pidFile ? pidFile(config.pidFile, log) : undefined;
  const server = new Server(serverSpec(config, command), log);
  const broker = server.broker;
  const sys = new SysTree(broker, config.sysInterval, version);
  const running: Running = { command, server, log, sys, reloaders: [], removePidFile };
  // Signals are handled before the first port opens: whoever sees the port
  // may already send SIGTERM.
  handleSignals(running);
  try {
    // Saved state is back before the first client can connect.
    running.persistence = openPersistence(config, broker, log);
    // Security files and plugins are in place before the first client too.
    const security = await startSecurity(config, running);
    running.reloaders.push((next) => void security.reload(next));
    await server.start();
    // Certificate files are read again on SIGHUP; a bad one is logged and
    // the listener keeps the certificate it has.
    running.reloaders.push(() => void server.reloadCertificates());
    // Privileged ports are open: now the broker may run as `user`.
    if (config.sourceOf('user')) dropPrivileges(config.user);
    const bridges = await startBridges(broker, config, log);
    running.bridges = bridges;
    running.reloaders.push((next) => void bridges.reload(next.bridges));
  } catch (error) {
    // A local-only listener that got no address has logged why already.
    if (!(error instanceof BindError && error.logged)) {
      log.write(LogType.Error, `Error: ${(error as Error).message}`);
    }
    running.persistence?.close();
    removePidFile?.();
    process.exit(1);
  }
  log.setTopicSink((topic, line) => {
    broker.publish({ topic, payload: Buffer.from(line), qos: 2 });
  });
  sys.start();
  log.write(LogType.Notice, `midge version ${version} running`);
  notifySystemd();
  return running;
}

/** Mosquitto exits with 13 when its security files or plugins fail to load. */
async function startSecurity(config: Config, running: Running): Promise<Security> {
  try {
    running.security = await createSecurity(config, running.server.broker, running.log);
    return running.security;
  } catch (error) {
    running.log.write(LogType.Error, `Error: ${(error as Error).message}`);
    running.persistence?.close();
    running.removePidFile?.();
    process.exit(exitSecurityError);
  }
}

function pidFile(path: string, log: Logger): () => void {
  try {
    return writePidFile(path);
  } catch (error) {
    log.write(
      LogType.Error,
      `Error: Unable to write pid file: ${(error as Error).message}`,
    );
    process.exit(1);
  }
}

/**
 * `--test-config`: the configuration has been read; the password, ACL and
 * PSK files it names are read too, as start-up would read them, so that a
 * file that would stop the broker (exit code 13) fails the test as well.
 * Plugins are not loaded: their start-up may have effects of its own.
 */
async function testConfig(config: Config): Promise<never> {
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const log: Logger = { mask: LogType.Warning, write: (_type, line) => warn(line) };
  for (const [, options] of scopeSources(config)) {
    try {
      await loadScopeFiles(options, { log, onDangerousClient: () => {} });
    } catch (error) {
      fail(warn, [`Error: ${(error as Error).message}`], exitSecurityError);
    }
  }
  process.stdout.write('Configuration file is valid.\n');
  process.exit(0);
}

/**
 * `midge bench ...`: loaded only here, so that the broker never loads the
 * benchmark; a build without it (dist/bench left out) says so.
 */
async function bench(argv: string[]): Promise<number> {
  let module: typeof import('../bench/run.js');
  try {
    module = await import('../bench/run.js');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      `midge: this build has no benchmark (${(error as Error).message})\n`,
    );
    return 1;
  }
  return module.runBench(argv);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'bench') {
    process.exitCode = await bench(process.argv.slice(3));
    return;
  }
  const command = parseArguments();
  if (command.help) {
    process.stdout.write(usage(version));
    process.exit(exitConfigError);
  }
  const config = readConfig(command);
  const problems = configProblems(config);
  if (problems.length > 0) {
    fail(
      early,
      problems.map((problem) => `Error: ${problem}.`),
      exitConfigError,
    );
  }
  if (command.testConfig) await testConfig(config);
  if (command.daemon && daemonize(process.argv.slice(1))) process.exit(0);
  await run(config, command);
}

await main();
