/**
 * Dynamic security: Mosquitto's dynamic-security plugin for midge. The
 * engine answers authentication and access questions and runs the
 * `$CONTROL/dynamic-security/v1` JSON API; see docs/dynamic-security.md.
 */
export type { AccessKind, AclSubject, Verdict } from './acl-check.js';
export {
  configText,
  type Logger,
  type LogLevel,
  writeFileAtomically,
} from './config-file.js';
export { commandNames, type Requester } from './control.js';
export {
  CONTROL_TOPIC,
  DynamicSecurity,
  type DynamicSecurityOptions,
  RESPONSE_TOPIC,
} from './engine.js';
export { parseJson } from './json.js';
export { printFormatted } from './json-print.js';
export { hashPassword } from './password.js';
