/**
 * midge's dynamic security: Mosquitto's dynamic-security plugin as a
 * component with three questions and one duty.
 *
 * - authenticate(): may this username/password/client id log in?
 * - checkAcl(): may this client publish, receive, subscribe, unsubscribe?
 * - handleControl(): run a `$CONTROL/dynamic-security/v1` request and give
 *   the JSON answer for `$CONTROL/dynamic-security/v1/response`;
 * - and keep the config file in step: it is saved after every request
 *   that changed something, before the answer goes out.
 *
 * Answers follow Mosquitto's plugin conventions: 'defer' means "not mine
 * to decide" and lets the next check (another plugin, the password or ACL
 * file, the broker's default) decide.
 *
 * @example
 * const dynsec = new DynamicSecurity({
 *   configFile: '/etc/mosquitto/dynamic-security.json',
 *   kick: (username) => broker.disconnectUser(username),
 * });
 * dynsec.load();
 * await dynsec.authenticate('alice', Buffer.from('pw'), 'sensor-1'); // 'allow'
 * dynsec.checkAcl({ username: 'alice' }, 'sensors/1', 'write');      // 'allow'
 */
import {
  type AccessKind,
  type AclSubject,
  checkAccess,
  type Verdict,
} from './acl-check.js';
import { type Logger, readConfigFile, saveConfigFile } from './config-file.js';
import { type Requester, runControl } from './control.js';
import { checkPassword } from './password.js';
import { DynsecState } from './state.js';

export const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
export const RESPONSE_TOPIC = '$CONTROL/dynamic-security/v1/response';

export interface DynamicSecurityOptions {
  /** The JSON config file (`plugin_opt_config_file`). */
  configFile: string;
  /** Where errors and the `dynsec: ...` command lines go. */
  log?: Logger;
  /**
   * Disconnects every client logged in with `username` (null: every
   * client without a username), without sending their wills.
   */
  kick?: (username: string | null) => void;
}

export class DynamicSecurity {
  readonly configFile: string;
  #state = new DynsecState();
  readonly #log: Logger;
  readonly #kick: (username: string | null) => void;

  constructor(options: DynamicSecurityOptions) {
    this.configFile = options.configFile;
    this.#log = options.log ?? (() => {});
    this.#kick = options.kick ?? (() => {});
  }

  /** The current data (read-only use: tests, metrics). */
  get state(): DynsecState {
    return this.#state;
  }

  /** (Re)reads the config file, replacing the data in memory. */
  load(): void {
    this.#state = readConfigFile(this.configFile, this.#log);
  }

  /** Writes the data to the config file now. */
  save(): boolean {
    return saveConfigFile(this.configFile, this.#state, this.#log);
  }

  /**
   * Basic authentication. Defers when there is no username or password,
   * when the username is unknown, and when the client has no password;
   * refuses a disabled client, a wrong client id or a wrong password.
   */
  authenticate(
    username: string | undefined,
    password: Buffer | undefined,
    clientId: string,
  ): Verdict | Promise<Verdict> {
    if (username === undefined || password === undefined) return 'defer';
    const client = this.#state.clients.get(username);
    if (!client) return 'defer';
    if (client.disabled) return 'deny';
    if (client.clientId !== undefined && client.clientId !== clientId) return 'deny';
    if (!client.password) return 'defer';
    return checkPassword(client.password, password).then((ok) => (ok ? 'allow' : 'deny'));
  }

  /** An access check; cheap and synchronous (no I/O). */
  checkAcl(subject: AclSubject, topic: string, access: AccessKind): Verdict {
    return checkAccess(this.#state, subject, topic, access);
  }

  /**
   * Runs one control request from `requester` and returns the answer to
   * publish. The file is saved and the affected clients disconnected
   * before this returns, as Mosquitto does before it answers.
   */
  handleControl(payload: Buffer, requester: Requester = {}): string {
    const result = runControl(this.#state, payload, requester, (line) =>
      this.#log('info', line),
    );
    if (result.changed) this.save();
    for (const username of result.kicks) this.#kick(username);
    return result.response;
  }
}
