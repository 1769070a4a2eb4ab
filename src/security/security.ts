/**
 * The security layer wired into a broker: createSecurity reads the
 * password, ACL and PSK files, loads the plugins and installs the broker
 * hooks (src/broker/hooks.ts) that ask them. `reload` reads the files
 * again and applies them to connected clients at once.
 *
 * @example
 * const security = await createSecurity(config, server.broker, log);
 * await server.start();
 * process.on('SIGHUP', () => security.reload(loadConfig(file)));
 */
import type { Broker } from '../broker/broker.js';
import { AclAccess, type BrokerHooks, type ClientInfo } from '../broker/hooks.js';
import type { StoredMessage } from '../broker/message.js';
import { defaultListenerSettings } from '../broker/options.js';
import type { Config } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import { clientView } from '../plugins/client-view.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import { checkAccess } from './access.js';
import { basicAuth, type Credentials } from './authenticate.js';
import { GLOBAL_SCOPE, ScopeBuilder } from './build-scopes.js';
import { authEvent, ExtendedAuth } from './extended-auth.js';
import * as events from './plugin-events.js';
import { reloadSecurity } from './reload.js';
import type { SecurityScope } from './scope.js';

export interface SecurityRuntimeOptions {
  /** How long an async plugin handler may take; default 10 s. */
  pluginTimeoutMs?: number;
  /** Interval of the plugins' tick event; default 1 s. */
  tickIntervalMs?: number;
}

/** What the CLI holds on to. */
export interface Security {
  /** Reads the files again and re-checks connected clients. */
  reload(config: Config): Promise<void>;
  /** Stops the tick and lets the plugins clean up. */
  close(): Promise<void>;
  /**
   * The key for a TLS-PSK identity on a listener (plugins first, then the
   * psk_file), or undefined: the handshake must then fail.
   */
  pskKey(listener: string, identity: string, hint?: string): Buffer | undefined;
}

interface Connected extends Credentials {
  verified: boolean;
}

export async function createSecurity(
  config: Config,
  broker: Broker,
  log: Logger,
  options: SecurityRuntimeOptions = {},
): Promise<Security> {
  const security = new BrokerSecurity(config, broker, log, options);
  await security.start();
  return security;
}

export class BrokerSecurity implements Security {
  readonly #broker: Broker;
  readonly #log: Logger;
  readonly #builder: ScopeBuilder;
  readonly #extended = new ExtendedAuth();
  /** CONNECT credentials, for the re-check after a reload. */
  readonly #connected = new WeakMap<ClientInfo, Connected>();
  readonly #tickMs: number;
  #config: Config;
  #scopes = new Map<string, SecurityScope>();
  /** The only scope, when there is just one. */
  #single: SecurityScope | undefined;
  #tick: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();

  constructor(
    config: Config,
    broker: Broker,
    log: Logger,
    options: SecurityRuntimeOptions,
  ) {
    this.#config = config;
    this.#broker = broker;
    this.#log = log;
    this.#tickMs = options.tickIntervalMs ?? 1000;
    this.#builder = new ScopeBuilder({
      broker,
      log,
      pluginTimeoutMs: options.pluginTimeoutMs ?? 10_000,
      onDangerousClient: (what, value) => this.#reportDanger(what, value),
    });
  }

  async start(): Promise<void> {
    try {
      this.#scopes = await this.#builder.build(this.#config);
      if (this.#scopes.size === 1) this.#single = [...this.#scopes.values()][0];
    } catch (error) {
      await this.close();
      throw error;
    }
    this.#install();
    if (this.#builder.plugins.some((p) => p.plugin.tick !== undefined)) {
      this.#tick = setInterval(() => this.#onTick(), this.#tickMs);
      this.#tick.unref();
    }
  }

  /** Reloads run one after the other: two quick SIGHUPs do not interleave. */
  reload(config: Config): Promise<void> {
    const next = this.#reloading.then(() => this.#reload(config));
    this.#reloading = next.catch(() => {});
    return next;
  }

  async #reload(config: Config): Promise<void> {
    await reloadSecurity(
      {
        config: this.#config,
        scopes: this.#scopes,
        plugins: this.#builder.plugins,
        log: this.#log,
        fileOptions: {
          log: this.#log,
          onDangerousClient: (what, value) => this.#reportDanger(what, value),
        },
        recheck: () => this.#recheckClients(),
      },
      config,
      () => {
        this.#config = config;
        this.#install();
      },
    );
  }

  async close(): Promise<void> {
    clearInterval(this.#tick);
    this.#tick = undefined;
    await Promise.all(
      this.#builder.plugins.map(async (hosted) => {
        const close = hosted.plugin.close;
        if (close === undefined) return;
        await hosted.call('close', () => close.call(hosted.plugin), isVoid, false);
      }),
    );
  }

  pskKey(listener: string, identity: string, hint = ''): Buffer | undefined {
    const scope = this.#scopeByName(listener);
    const fromPlugins = events.pskKeyEvent(scope, { listener, hint, identity });
    if (fromPlugins === 'deny') return undefined;
    return fromPlugins ?? scope.files.psk?.key(identity);
  }

  #install(): void {
    const any = (event: Parameters<SecurityScope['handling']>[0]) =>
      [...this.#scopes.values()].some((s) => s.handling(event).length > 0);
    // No ACL file and no plugin asked about access: every topic outside
    // '$' is open to all, so the message path need not ask in full.
    const open = [...this.#scopes.values()].every(
      (s) => s.files.acl === undefined && s.handling('aclCheck').length === 0,
    );
    const hooks: BrokerHooks = {
      authenticate: (client, username, password, verified) =>
        this.#authenticate(client, { username, password, verified }),
      checkAcl: (client, topic, access, qos, retain, payload) =>
        (open && !isDollarTopic(topic)) ||
        checkAccess(
          this.#scope(client),
          client,
          topic,
          access,
          qos,
          retain,
          payload,
          this.#danger,
        ),
      control: (client, message) =>
        events.controlEvent(this.#scope(client), client, message),
    };
    if (any('extendedAuthStart')) hooks.enhancedAuth = this.#enhancedAuth();
    if (any('message')) {
      hooks.message = (client, m) => events.messageEvent(this.#scope(client), client, m);
    }
    if (any('subscribe')) {
      hooks.subscribe = (client, s) =>
        events.subscribeEvent(this.#scope(client), client, s);
    }
    if (any('unsubscribe')) {
      hooks.unsubscribed = (client, filter, group) =>
        events.notify(this.#scope(client), 'unsubscribe', {
          client: clientView(client),
          filter,
          group,
        });
    }
    if (any('connect')) hooks.connected = (c) => this.#notifyClient(c, 'connect');
    if (any('disconnect'))
      hooks.disconnected = (c) => this.#notifyClient(c, 'disconnect');
    if (this.#config.checkRetainSource) {
      hooks.retainedSource = (message) =>
        (open && !isDollarTopic(message.topic)) || this.#retainedSourceMayWrite(message);
    }
    this.#broker.hooks = hooks;
  }

  #authenticate(
    client: ClientInfo,
    connected: Connected,
  ): ReasonCode | Promise<ReasonCode> {
    this.#connected.set(client, connected);
    const prefix = this.#config.clientidPrefixes;
    // clientid_prefixes (deprecated): only ids starting so may connect.
    if (prefix !== null && !client.clientId.startsWith(prefix)) {
      return ReasonCode.NotAuthorized;
    }
    return this.#decide(client, connected);
  }

  /** The CONNECT decision without the client id rule; also for re-checks. */
  #decide(client: ClientInfo, connected: Connected): ReasonCode | Promise<ReasonCode> {
    if (client.listener.localBridge === true || connected.verified) {
      return ReasonCode.Success;
    }
    return basicAuth(this.#scope(client), client, connected);
  }

  #enhancedAuth(): NonNullable<BrokerHooks['enhancedAuth']> {
    return {
      supports: () => true,
      start: (client, method, data, reauth) => {
        const prefix = this.#config.clientidPrefixes;
        if (!reauth && prefix !== null && !client.clientId.startsWith(prefix)) {
          return { reasonCode: ReasonCode.NotAuthorized };
        }
        const event = authEvent(client, method, data, reauth);
        return this.#extended.start(this.#scope(client), client, event);
      },
      continue: (client, method, data) =>
        this.#extended.continue(client, authEvent(client, method, data, false)),
    };
  }

  /**
   * check_retain_source: the publisher of a retained message must still
   * be allowed to write its topic. The publisher's session is asked if it
   * still exists, otherwise a stand-in with the name and listener it had.
   */
  #retainedSourceMayWrite(message: StoredMessage): boolean {
    if (message.origin === '') return true;
    const client = this.#broker.session(message.origin)?.client ?? standIn(message);
    const { topic, qos, payload } = message;
    return checkAccess(
      this.#scope(client),
      client,
      topic,
      AclAccess.Write,
      qos,
      true,
      payload,
      this.#danger,
    );
  }

  async #recheckClients(): Promise<void> {
    const checks = this.#broker.clients().map(async (client) => {
      const connected = this.#connected.get(client);
      // Clients let in by enhanced authentication keep their session.
      if (connected === undefined) return;
      const code = await this.#decide(client, connected);
      if (code !== ReasonCode.Success)
        this.#broker.disconnect(client, ReasonCode.NotAuthorized);
    });
    await Promise.all(checks);
  }

  #notifyClient(client: ClientInfo, event: 'connect' | 'disconnect'): void {
    events.notify(this.#scope(client), event, { client: clientView(client) });
  }

  #onTick(): void {
    const now = Date.now();
    for (const hosted of this.#builder.plugins) {
      const tick = hosted.plugin.tick;
      if (tick !== undefined)
        hosted.notify('tick', () => tick.call(hosted.plugin, { now }));
    }
  }

  #scope(client: ClientInfo): SecurityScope {
    return this.#scopeByName(client.listener.name);
  }

  #scopeByName(name: string): SecurityScope {
    // Without per_listener_settings there is one scope: no lookup by name
    // on the message path.
    if (this.#single !== undefined) return this.#single;
    const scopes = this.#scopes;
    return scopes.get(name) ?? (scopes.get(GLOBAL_SCOPE) as SecurityScope);
  }

  readonly #danger = (what: 'username' | 'client id', value: string): void =>
    this.#reportDanger(what, value);

  #reportDanger(what: 'username' | 'client id', value: string): void {
    if (this.#log.mask & LogType.Notice) {
      this.#log.write(
        LogType.Notice,
        `ACL denying access to client with dangerous ${what} "${value}"`,
      );
    }
  }
}

/**
 * A retained message's publisher as it was, for a session that is gone.
 * LIMIT(security): it is not known to have been one of the broker's own
 * bridges, so a bridged-in retained message whose bridge session ended
 * is judged as an ordinary client's.
 */
function standIn(message: StoredMessage): ClientInfo {
  return {
    clientId: message.origin,
    username: message.originUsername,
    protocolVersion: 4,
    remoteAddress: '',
    remotePort: 0,
    listener: { ...defaultListenerSettings, name: message.originListener ?? '' },
  };
}

function isVoid(value: unknown): value is undefined {
  return value === undefined;
}

/** '$' topics have rules of their own (special-topics.ts). */
function isDollarTopic(topic: string): boolean {
  return topic.charCodeAt(0) === 0x24;
}
