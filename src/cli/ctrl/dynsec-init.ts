/**
 * `midge_ctrl dynsec init <file> <admin-user> [admin-password]`: writes a
 * new dynamic-security config file, with no broker involved. The file is
 * the one mosquitto_ctrl writes, key for key: one client holding the
 * `admin` role, which may use `$CONTROL/dynamic-security/#`, read `$SYS`
 * and everything else, but not publish to ordinary topics; and default
 * access that refuses publishing and subscribing. Both brokers load it.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { hashPassword, printFormatted } from '../../dynsec/index.js';

const CONTROL = '$CONTROL/dynamic-security/#';

/** The admin role's ACLs, in mosquitto_ctrl's order. */
const adminAcls: [string, string][] = [
  ['publishClientSend', CONTROL],
  ['publishClientReceive', CONTROL],
  ['subscribePattern', CONTROL],
  ['publishClientReceive', '$SYS/#'],
  ['subscribePattern', '$SYS/#'],
  ['publishClientReceive', '#'],
  ['subscribePattern', '#'],
  ['unsubscribePattern', '#'],
];

/** The init file's content for `username` / `password`. */
export function initConfigText(username: string, password: string): string {
  const pw = hashPassword(password);
  return printFormatted({
    clients: [
      {
        username,
        // mosquitto_ctrl writes this key with a capital N; both read it.
        textName: 'Dynsec admin user',
        password: pw.hash.toString('base64'),
        salt: pw.salt.toString('base64'),
        iterations: pw.iterations,
        roles: [{ rolename: 'admin' }],
      },
    ],
    roles: [
      {
        rolename: 'admin',
        acls: adminAcls.map(([acltype, topic]) => ({ acltype, topic, allow: true })),
      },
    ],
    defaultACLAccess: {
      publishClientSend: false,
      publishClientReceive: true,
      subscribe: false,
      unsubscribe: true,
    },
  });
}

export type InitResult = 'written' | 'exists' | 'unwritable';

/**
 * Creates `path` with the init content; never replaces a file. The mode
 * is the process umask's, as mosquitto_ctrl's, so a broker running as
 * another user can read it when the umask allows.
 */
export function writeInitFile(
  path: string,
  username: string,
  password: string,
): InitResult {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o666);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists' : 'unwritable';
  }
  try {
    writeSync(fd, initConfigText(username, password));
  } finally {
    closeSync(fd);
  }
  return 'written';
}

/** What midge_ctrl prints once the file is written. */
export function initDoneText(username: string, path: string): string {
  return [
    `The client '${username}' has been created in the file '${path}'.`,
    'It holds the admin role: it may run dynamic-security commands and read',
    'all topics, but not publish to them. Create clients for your',
    'applications with their own roles, for example:',
    '   midge_ctrl <options> dynsec createClient <username>',
    '   midge_ctrl <options> dynsec createRole <rolename>',
    '   midge_ctrl <options> dynsec addRoleACL <role> publishClientSend my/topic allow',
    '   midge_ctrl <options> dynsec addClientRole <username> <rolename>',
    "See 'midge_ctrl dynsec help' and docs/dynamic-security.md for all commands.",
    '',
  ].join('\n');
}
