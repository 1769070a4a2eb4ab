/**
 * midge in this process, assembled as the midge command assembles it
 * (config text -> serverSpec -> Server, createSecurity before the
 * listeners open), on a free port of 127.0.0.1. Tests use it where a
 * separate process would not do: TypeScript plugins (this process runs
 * under tsx), plugins registered as built-ins, short plugin time limits,
 * and reading the log lines. The files a test gives are written to a
 * temporary folder, and `{dir}` in the config stands for that folder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { serverSpec } from '../../src/cli/server-spec.js';
import { parseCommandLine, parseConfig } from '../../src/config/index.js';
import { type Logger, LogType } from '../../src/log/log-types.js';
import {
  createSecurity,
  type Security,
  type SecurityRuntimeOptions,
} from '../../src/security/index.js';
import { Server } from '../../src/server.js';
import { freePort } from '../helpers/broker.js';
import { tempDir } from './mosquitto.js';

export interface InProcess {
  port: number;
  /** The extra free ports asked for, by name. */
  ports: Record<string, number>;
  dir: string;
  server: Server;
  security: Security;
  /** Log lines so far, without timestamps. */
  lines: string[];
  /** Rewrites files, then reloads with the (possibly new) config text. */
  reload(config?: string, files?: Record<string, string | Buffer>): Promise<void>;
}

export interface InProcessOptions extends SecurityRuntimeOptions {
  /** Files to write into the folder first (names relative to it). */
  files?: Record<string, string | Buffer>;
  /** Names of more free ports; `{name}` in the config stands for each. */
  extraPorts?: string[];
}

/**
 * `config` follows `listener PORT 127.0.0.1`; `{dir}` is replaced by the
 * folder and `{port}` by the port.
 */
export async function startInProcess(
  t: TestContext,
  config: string,
  options: InProcessOptions = {},
): Promise<InProcess> {
  const dir = tempDir(t);
  const port = await freePort();
  const ports: Record<string, number> = {};
  for (const name of options.extraPorts ?? []) ports[name] = await freePort();
  const lines: string[] = [];
  const log: Logger = { mask: LogType.All, write: (_type, line) => lines.push(line) };
  const configFile = join(dir, 'midge.conf');
  const text = (body: string) => {
    let out = body.replaceAll('{dir}', dir).replaceAll('{port}', String(port));
    for (const [name, value] of Object.entries(ports)) {
      out = out.replaceAll(`{${name}}`, String(value));
    }
    return `listener ${port} 127.0.0.1\n${out}\n`;
  };
  const write = (files: Record<string, string | Buffer> = {}) => {
    for (const [name, data] of Object.entries(files))
      writeFileSync(join(dir, name), data);
  };
  write(options.files);
  let current = text(config);
  writeFileSync(configFile, current);
  const parsed = parseConfig(current, configFile);
  const server = new Server(
    serverSpec(parsed, parseCommandLine(['-c', configFile])),
    log,
  );
  const security = await createSecurity(parsed, server.broker, log, options);
  t.after(async () => {
    await server.stop();
    await security.close();
  });
  await server.start();
  return {
    port,
    ports,
    dir,
    server,
    security,
    lines,
    async reload(next, files) {
      write(files);
      if (next !== undefined) current = text(next);
      await security.reload(parseConfig(current, configFile));
    },
  };
}
