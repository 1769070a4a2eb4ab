/**
 * midge_ctrl's help texts, as data: the general usage (also printed when
 * the arguments name no module and command) and the dynsec module's list
 * of commands with their arguments, which are mosquitto_ctrl's.
 */

export function usageText(version: string): string {
  return [
    'midge_ctrl administers features of a running midge or Mosquitto broker.',
    `midge_ctrl version ${version}`,
    '',
    'Usage: midge_ctrl [connection options] <module> <command> [arguments]',
    '       midge_ctrl <module> help',
    '',
    'Modules: dynsec',
    '',
    'Connection options: {-h host | --unix path} [-p port] [-u username [-P password]]',
    '                    [-L URL] [-i id] [-q qos] [-V 5|311|31] [-A bind-address]',
    '                    [--cafile file | --capath dir] [--cert file --key file]',
    '                    [--ciphers list] [--tls-version v] [--tls-alpn protocol]',
    '                    [--insecure] [--psk key --psk-identity id] [--proxy url]',
    '                    [-o options-file] [--quiet]',
    'Without -P, midge_ctrl asks for the password of -u.',
    '',
    'See docs/dynamic-security.md.',
    '',
  ].join('\n');
}

type Section = [title: string, rows: [what: string, syntax: string][]];

const sections: Section[] = [
  [
    'Setting up (writes a file, needs no broker)',
    [['New config file with an admin', 'init <file> <admin-username> [admin-password]']],
  ],
  [
    'General',
    [
      ['Show default access', 'getDefaultACLAccess'],
      ['Set default access', 'setDefaultACLAccess <acltype> allow|deny'],
      ['Show the anonymous group', 'getAnonymousGroup'],
      ['Set the anonymous group', 'setAnonymousGroup <groupname>'],
    ],
  ],
  [
    'Clients',
    [
      ['Create', 'createClient <username> [-c clientid] [-p password]'],
      ['Delete', 'deleteClient <username>'],
      ['Set the password', 'setClientPassword <username> [password]'],
      ['Set or clear the client id', 'setClientId <username> [clientid]'],
      ['Give a role', 'addClientRole <username> <rolename> [priority]'],
      ['Take a role', 'removeClientRole <username> <rolename>'],
      ['Show', 'getClient <username>'],
      ['List', 'listClients [count [offset]]'],
      ['Enable', 'enableClient <username>'],
      ['Disable (and disconnect)', 'disableClient <username>'],
    ],
  ],
  [
    'Groups',
    [
      ['Create', 'createGroup <groupname>'],
      ['Delete', 'deleteGroup <groupname>'],
      ['Give a role', 'addGroupRole <groupname> <rolename> [priority]'],
      ['Take a role', 'removeGroupRole <groupname> <rolename>'],
      ['Add a client', 'addGroupClient <groupname> <username> [priority]'],
      ['Remove a client', 'removeGroupClient <groupname> <username>'],
      ['Show', 'getGroup <groupname>'],
      ['List', 'listGroups [count [offset]]'],
    ],
  ],
  [
    'Roles',
    [
      ['Create', 'createRole <rolename>'],
      ['Delete', 'deleteRole <rolename>'],
      ['Add an ACL', 'addRoleACL <rolename> <acltype> <topic> allow|deny [priority]'],
      ['Remove an ACL', 'removeRoleACL <rolename> <acltype> <topic>'],
      ['Show', 'getRole <rolename>'],
      ['List', 'listRoles [count [offset]]'],
    ],
  ],
];

const notes = [
  'Priorities: larger numbers are tried first (roles of a client, groups of a',
  'client, roles of a group, ACLs of a role).',
  'acltype for roles:  publishClientSend publishClientReceive subscribeLiteral',
  '                    subscribePattern unsubscribeLiteral unsubscribePattern',
  'acltype for setDefaultACLAccess:  publishClientSend publishClientReceive',
  '                                  subscribe unsubscribe',
];

export function dynsecHelpText(): string {
  const lines = ['', 'midge_ctrl dynsec: dynamic security', ''];
  for (const [title, rows] of sections) {
    lines.push(title);
    for (const [what, syntax] of rows) lines.push(`  ${what.padEnd(32)}${syntax}`);
    lines.push('');
  }
  lines.push(...notes, '');
  return lines.join('\n');
}
