/**
 * File handling for midge_passwd. A password file is replaced, not
 * rewritten in place: the new contents go to a temporary file beside it,
 * which then takes its name, so a crash or a full disk leaves the old file
 * whole (mosquitto_passwd rewrites in place and keeps a backup copy for
 * that case). The file keeps its permissions and, when run as root, its
 * owner. A new file gets the mode the umask leaves (0644 under the usual
 * 022), as with Debian's mosquitto_passwd 2.0.11: its broker, started as
 * root, reads the file as user "mosquitto" and cannot open a root-owned
 * 0600 file. Hashes can be attacked offline, so docs/security.md says how
 * to restrict the file. Where the folder cannot take a new file, the file is
 * rewritten in place as Mosquitto does.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, chown, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Before the umask, as fopen() creates files. */
const NEW_FILE_MODE = 0o666;
const IN_PLACE_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Reads a file that is about to be rewritten: it must be writable too. */
export async function readForUpdate(path: string): Promise<Buffer> {
  await access(path, constants.R_OK | constants.W_OK);
  return readFile(path);
}

/**
 * Gives `path` the contents `data`. With `create` false the file must
 * exist already.
 */
export async function writeAtomically(
  path: string,
  data: Buffer,
  create: boolean,
): Promise<void> {
  const old = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (create && error.code === 'ENOENT') return undefined;
    throw error;
  });
  const temp = join(
    dirname(path),
    `.${basename(path)}.${randomBytes(6).toString('hex')}`,
  );
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, 'wx', NEW_FILE_MODE);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (old !== undefined && IN_PLACE_CODES.has(code)) return writeInPlace(path, data);
    throw error;
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    if (old !== undefined) await keepOwnership(temp, old);
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}

async function keepOwnership(
  temp: string,
  old: { mode: number; uid: number; gid: number },
): Promise<void> {
  await chmod(temp, old.mode & 0o7777);
  if (process.getuid?.() === 0) await chown(temp, old.uid, old.gid);
}

async function writeInPlace(path: string, data: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.truncate(0);
    await handle.write(data, 0, data.length, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
