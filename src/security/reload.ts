/**
 * A configuration reload (SIGHUP), as Mosquitto applies it to security:
 *
 * - the password, ACL and PSK files are read again, with allow_anonymous,
 *   clientid_prefixes and check_retain_source. A file that no longer
 *   reads keeps its old contents for that scope, and the log says why;
 * - plugins stay loaded (Mosquitto does not reload them) and get their
 *   reload event with the options the file now gives them;
 * - every connected client is checked again with the credentials it
 *   connected with, and disconnected if it would now be refused. Access
 *   rules need no such pass: every check reads the current rules.
 *
 * Changes Mosquitto only applies on restart (per_listener_settings, the
 * plugin lines) are logged and left alone.
 */
import type { Config, SecurityOptions } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import type { HostedPlugin } from '../plugins/host.js';
import type { PluginOptions } from '../plugins/types.js';
import { allowAnonymousOf, scopeSources } from './build-scopes.js';
import { type FileLoadOptions, loadScopeFiles } from './load-files.js';
import type { ScopeFiles, SecurityScope } from './scope.js';

export interface RunningSecurity {
  config: Config;
  scopes: ReadonlyMap<string, SecurityScope>;
  plugins: readonly HostedPlugin[];
  log: Logger;
  fileOptions: FileLoadOptions;
  /** Checks connected clients again; disconnects those now refused. */
  recheck(): Promise<void>;
}

/**
 * Applies `next`. `commit` switches the running configuration once the
 * files are read, before clients are checked again.
 */
export async function reloadSecurity(
  running: RunningSecurity,
  next: Config,
  commit: () => void,
): Promise<void> {
  const { log } = running;
  if (next.perListenerSettings !== running.config.perListenerSettings) {
    warn(log, 'per_listener_settings changes take effect when midge restarts');
    return;
  }
  const sources = new Map(scopeSources(next));
  const prepared: Array<[SecurityScope, ScopeFiles, boolean]> = [];
  for (const [key, scope] of running.scopes) {
    const options = sources.get(key);
    if (options === undefined) continue;
    const files = await readFiles(running, options, scope.files);
    prepared.push([scope, files, allowAnonymousOf(options, next)]);
  }
  for (const [scope, files, anonymous] of prepared) {
    scope.files = files;
    scope.allowAnonymous = anonymous;
  }
  commit();
  await reloadPlugins(running, next);
  await running.recheck();
}

async function readFiles(
  running: RunningSecurity,
  options: SecurityOptions,
  old: ScopeFiles,
): Promise<ScopeFiles> {
  try {
    return await loadScopeFiles(options, running.fileOptions);
  } catch (error) {
    const log = running.log;
    if (log.mask & LogType.Error) {
      log.write(
        LogType.Error,
        `Error: ${(error as Error).message}; keeping the security files already loaded.`,
      );
    }
    return old;
  }
}

/** Gives each plugin its reload event, with its options from `next`. */
async function reloadPlugins(running: RunningSecurity, next: Config): Promise<void> {
  const options = pluginOptions(next);
  const paths = (c: Config) => [...pluginOptions(c).keys()].join('\n');
  if (paths(next) !== paths(running.config)) {
    warn(running.log, 'plugin changes take effect when midge restarts');
  }
  await Promise.all(
    running.plugins.map(async (hosted) => {
      const reload = hosted.plugin.reload;
      if (reload === undefined) return;
      const event = { options: options.get(hosted.path) ?? [] };
      await hosted.call('reload', () => reload.call(hosted.plugin, event), isVoid, false);
    }),
  );
}

/** Each plugin path's options; a path given twice keeps its first. */
function pluginOptions(config: Config): Map<string, PluginOptions> {
  const out = new Map<string, PluginOptions>();
  const all = [
    ...config.globalPlugins,
    ...scopeSources(config).flatMap(([, s]) => s.plugins),
  ];
  for (const plugin of all) {
    if (!out.has(plugin.path)) out.set(plugin.path, plugin.options);
  }
  return out;
}

function warn(log: Logger, message: string): void {
  if (log.mask & LogType.Warning) log.write(LogType.Warning, `Warning: ${message}`);
}

function isVoid(value: unknown): value is undefined {
  return value === undefined;
}
