/**
 * The security layer's public surface: createSecurity, which wires the
 * files and plugins into a broker, the three Mosquitto security files and
 * the rules for '$' topics. midge_passwd is src/cli/midge-passwd.ts.
 */
export {
  type AclAccessName,
  type AclClient,
  AclFile,
  type AclFileOptions,
  type AclFileResult,
} from './acl-file.js';
export { PasswordFile, type PasswordFileResult } from './password-file.js';
export {
  createPasswordHash,
  DEFAULT_ITERATIONS,
  formatPasswordHash,
  HashFormatError,
  type HashKind,
  type PasswordHash,
  parsePasswordHash,
  verifyPasswordHash,
  verifyPasswordHashAsync,
} from './password-hash.js';
export { PskFile, pskBytes } from './psk-file.js';
export {
  BrokerSecurity,
  createSecurity,
  type Security,
  type SecurityRuntimeOptions,
} from './security.js';
export { checkSpecialTopic } from './special-topics.js';
