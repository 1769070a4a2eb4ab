/**
 * The security layer's public surface: the three Mosquitto security files
 * and the rules for '$' topics. Hooking them into the broker lives with
 * the broker's wiring; midge_passwd is src/cli/midge-passwd.ts.
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
export { checkSpecialTopic } from './special-topics.js';
