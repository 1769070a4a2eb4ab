/**
 * One set of security settings: the broker's, or one listener's when
 * per_listener_settings is true. It holds what the files say, the
 * allow_anonymous setting and the plugins in the order they are asked
 * (2.1's global plugins first, then the scope's own in file order).
 *
 * Two plugins may not handle the same control topic: the constructor
 * throws. Plugins are sorted by the events they handle once, when the scope is
 * built, so a check on the message path walks a short array and tests no
 * handler's presence.
 */
import type { HostedPlugin } from '../plugins/host.js';
import type { ControlHandler, MidgePlugin } from '../plugins/types.js';
import type { AclFile } from './acl-file.js';
import type { PasswordFile } from './password-file.js';
import type { PskFile } from './psk-file.js';

/** What the three security files of a scope hold (absent = not configured). */
export interface ScopeFiles {
  passwords?: PasswordFile;
  acl?: AclFile;
  psk?: PskFile;
}

export interface ControlEntry {
  plugin: HostedPlugin;
  handler: ControlHandler;
}

type EventName = Exclude<keyof MidgePlugin, 'name' | 'control'>;

export class SecurityScope {
  /** 'global', or the listener's name. */
  readonly key: string;
  allowAnonymous: boolean;
  files: ScopeFiles;
  readonly plugins: readonly HostedPlugin[];
  readonly control = new Map<string, ControlEntry>();
  readonly #byEvent = new Map<EventName, readonly HostedPlugin[]>();

  constructor(
    key: string,
    allowAnonymous: boolean,
    files: ScopeFiles,
    plugins: readonly HostedPlugin[],
  ) {
    this.key = key;
    this.allowAnonymous = allowAnonymous;
    this.files = files;
    this.plugins = plugins;
    for (const hosted of plugins) {
      for (const [topic, handler] of Object.entries(hosted.plugin.control ?? {})) {
        // Mosquitto refuses a second registration of a topic.
        const owner = this.control.get(topic);
        if (owner !== undefined) {
          throw new Error(
            `plugins ${owner.plugin.name} and ${hosted.name} both handle ${topic}`,
          );
        }
        this.control.set(topic, { plugin: hosted, handler });
      }
    }
  }

  /** Plugins that handle `event`, in the order they are asked. */
  handling(event: EventName): readonly HostedPlugin[] {
    let list = this.#byEvent.get(event);
    if (list === undefined) {
      list = this.plugins.filter((p) => typeof p.plugin[event] === 'function');
      this.#byEvent.set(event, list);
    }
    return list;
  }
}
