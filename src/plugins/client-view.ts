/**
 * Plugins see clients through a read-only view, never the broker's own
 * connection object: a plugin cannot change broker state by writing to a
 * field. One view per connection, made on first use and kept as long as
 * the connection lives, so access checks on the message path allocate
 * nothing for the client.
 */
import type { ClientInfo } from '../broker/hooks.js';
import type { ProtocolVersion } from '../protocol/packets.js';
import type { PluginClient } from './types.js';

class ClientView implements PluginClient {
  readonly #info: ClientInfo;

  constructor(info: ClientInfo) {
    this.#info = info;
  }

  get id(): string {
    return this.#info.clientId;
  }

  get username(): string | undefined {
    return this.#info.username;
  }

  get address(): string {
    return this.#info.remoteAddress;
  }

  get port(): number {
    return this.#info.remotePort;
  }

  get protocolVersion(): ProtocolVersion {
    return this.#info.protocolVersion;
  }

  get listener(): string {
    return this.#info.listener.name;
  }

  toJSON(): object {
    const { id, username, address, port, protocolVersion, listener } = this;
    return { id, username, address, port, protocolVersion, listener };
  }
}

const views = new WeakMap<ClientInfo, PluginClient>();

/** The plugin's view of a client. */
export function clientView(info: ClientInfo): PluginClient {
  let view = views.get(info);
  if (view === undefined) {
    view = new ClientView(info);
    views.set(info, view);
  }
  return view;
}
