/**
 * Reads the password, ACL and PSK files of one scope. Entries a file
 * skips are logged as warnings (file:line: reason); a file that cannot be
 * read at all, or a PSK file with a bad key, is an error for the caller:
 * at start-up the broker does not start, on a reload the old files stay.
 */
import type { SecurityOptions } from '../config/types.js';
import { type Logger, LogType } from '../log/log-types.js';
import { AclFile } from './acl-file.js';
import { PasswordFile } from './password-file.js';
import { PskFile } from './psk-file.js';
import type { ScopeFiles } from './scope.js';

export interface FileLoadOptions {
  log: Logger;
  /** Mosquitto's NOTICE line for a client refused for a dangerous name. */
  onDangerousClient: (what: 'username' | 'client id', value: string) => void;
}

export async function loadScopeFiles(
  options: SecurityOptions,
  load: FileLoadOptions,
): Promise<ScopeFiles> {
  const files: ScopeFiles = {};
  const warn = (w: { message: string }) => {
    if (load.log.mask & LogType.Warning)
      load.log.write(LogType.Warning, `Warning: ${w.message}`);
  };
  if (options.passwordFile !== null) {
    const { passwords, warnings } = await PasswordFile.load(options.passwordFile);
    warnings.forEach(warn);
    files.passwords = passwords;
  }
  if (options.aclFile !== null) {
    const { acl, warnings } = await AclFile.load(options.aclFile, {
      onDangerousClient: load.onDangerousClient,
    });
    warnings.forEach(warn);
    files.acl = acl;
  }
  if (options.pskFile !== null) files.psk = await PskFile.load(options.pskFile);
  return files;
}
