/**
 * ACL edge cases as data: each scenario is an ACL file and what clients
 * may do under it. The same table is checked against midge's checker
 * (test/unit/security/acl-table.test.ts) and against Debian's mosquitto
 * running with the same file (test/security/acl-mosquitto.test.ts), so a
 * case here is a fact about Mosquitto, not a guess.
 *
 * `allowed` is the whole answer a broker gives: the '$' rules first, then
 * the file.
 */
import type { AclAccessName } from '../../src/security/acl-file.js';

export interface AclTestClient {
  id: string;
  username?: string;
}

export interface AclCase {
  client: AclTestClient;
  access: AclAccessName;
  topic: string;
  allowed: boolean;
}

export interface AclScenario {
  name: string;
  /** File contents, CRLF and all. */
  acl: string;
  cases: AclCase[];
}

const anon = (id: string): AclTestClient => ({ id });
const user = (username: string, id = `id-${username}`): AclTestClient => ({
  id,
  username,
});

/** `[access, topic, allowed]` rows for one client. */
type Row = [AclAccessName, string, boolean];
function rows(client: AclTestClient, list: Row[]): AclCase[] {
  return list.map(([access, topic, allowed]) => ({ client, access, topic, allowed }));
}

const order: AclScenario = {
  name: 'sections, deny first, patterns',
  acl: [
    '# anonymous section',
    'topic read public/#',
    'topic deny public/secret',
    'topic write anon/in',
    '',
    'user alice',
    'topic readwrite alice/#',
    'topic deny alice/private/#',
    'topic read shared/+/status',
    'topic write $CONTROL/dynamic-security/v1',
    'topic read $SYS/#',
    'topic write $SYS/broker/connection/+/state',
    '',
    'user bob',
    'topic read shared/#',
    'topic deny shared/b/#',
    'topic readwrite $foo/bar',
    '',
    'user jöhn',
    'topic read ü/#',
    '',
    'user alice',
    'topic write extra/alice',
    '',
    'pattern readwrite devices/%c/#',
    'pattern read users/%u/inbox',
    'pattern deny devices/%c/locked',
    'pattern write spaced topic/%u',
  ].join('\n'),
  cases: [
    ...rows(anon('anon-1'), [
      ['read', 'public/x', true],
      ['read', 'public', true],
      ['read', 'public/secret', false],
      ['write', 'public/x', false],
      ['write', 'anon/in', true],
      ['read', 'anon/in', false],
      ['read', 'alice/x', false],
      ['read', '$SYS/broker/version', false],
      ['write', 'devices/anon-1/t', true],
      ['read', 'devices/anon-1', true],
      ['read', 'devices/anon-1/locked', false],
      ['read', 'devices/other/t', false],
      ['read', 'users//inbox', false],
      ['subscribe', 'alice/#', true],
      ['subscribe', '#', true],
      ['unsubscribe', 'alice/#', true],
    ]),
    ...rows(user('alice', 'a1'), [
      ['write', 'alice/x', true],
      ['read', 'alice/x', true],
      ['read', 'alice', true],
      ['read', 'alice/private/x', false],
      ['write', 'alice/private', false],
      ['read', 'public/x', false],
      ['read', 'shared/a/status', true],
      ['read', 'shared//status', true],
      ['read', 'shared/a/b/status', false],
      ['write', '$CONTROL/dynamic-security/v1', true],
      ['write', '$CONTROL/other/v1', false],
      ['read', '$SYS/broker/version', true],
      ['write', '$SYS/broker/uptime', false],
      ['write', '$SYS/broker/connection/x/state', true],
      ['write', 'extra/alice', true],
      ['write', 'devices/a1/x', true],
      ['write', 'devices/a1', true],
      ['read', 'devices/a1/locked', false],
      ['read', 'users/alice/inbox', true],
      ['write', 'users/alice/inbox', false],
      ['write', 'spaced topic/alice', true],
      ['subscribe', '$SYS/#', true],
    ]),
    ...rows(user('bob', 'b1'), [
      ['read', 'shared/a/x', true],
      ['read', 'shared/b/x', false],
      ['read', 'shared/b', false],
      ['write', 'shared/a', false],
      ['read', '$foo/bar', true],
      ['write', '$foo/bar', true],
      ['read', '$foo/baz', false],
      ['read', 'users/bob/inbox', true],
      ['read', 'users/alice/inbox', false],
    ]),
    ...rows(user('jöhn'), [
      ['read', 'ü/x', true],
      ['read', 'u/x', false],
    ]),
    // A username with no section gets neither the anonymous rules nor any.
    ...rows(user('carol', 'c1'), [
      ['read', 'public/x', false],
      ['read', 'users/carol/inbox', true],
      ['write', 'devices/c1/x', true],
    ]),
    // '+' or '#' in a name would widen a pattern: no pattern applies then.
    ...rows(user('x+y', 'd1'), [
      ['read', 'devices/d1/x', false],
      ['write', 'devices/d1/x', false],
    ]),
    ...rows(user('#', 'd2'), [['read', 'devices/d2/x', false]]),
    ...rows(user('eve', 'e+1'), [['read', 'users/eve/inbox', false]]),
    ...rows(user('eve', 'e#2'), [['read', 'users/eve/inbox', false]]),
    ...rows(anon('#'), [['write', 'anon/in', true]]),
    // '/' is allowed: it can only add levels, never wildcards.
    ...rows(user('a/b', 'd3'), [
      ['read', 'users/a/b/inbox', true],
      ['read', 'users/a/inbox', false],
    ]),
    ...rows(anon('f/g'), [
      ['write', 'devices/f/g/x', true],
      ['write', 'devices/f/x', false],
    ]),
    // Mosquitto takes a zero-length username for no username at all.
    ...rows(user('', 'd4'), [
      ['read', 'users//inbox', false],
      ['read', 'public/x', true],
    ]),
    // What is put in is not scanned again: %c inside a username stays.
    ...rows(user('%c', 'pc1'), [
      ['read', 'users/%c/inbox', true],
      ['read', 'users/pc1/inbox', false],
    ]),
    // Names are compared exactly.
    ...rows(user('alice '), [['read', 'alice/x', false]]),
    ...rows(user('Alice'), [['read', 'alice/x', false]]),
  ],
};

const wildcards: AclScenario = {
  name: 'wildcards and $ topics',
  acl: [
    'topic read +/status',
    'topic write +/+/cmd',
    'topic read a/+/c/#',
    'topic readwrite $foo/#',
    'topic read /leading',
    'topic read trailing/',
    'topic readwrite $SYSTEM/#',
    'topic readwrite $sharefoo/#',
    'topic readwrite $share/#',
  ].join('\n'),
  cases: rows(anon('w1'), [
    ['read', 'x/status', true],
    ['read', '/status', true],
    ['read', 'status', false],
    ['read', 'x/y/status', false],
    ['read', '$x/status', false],
    ['write', 'a/b/cmd', true],
    ['write', 'a/cmd', false],
    ['write', '$bar/b/cmd', false],
    ['read', 'a/b/c', true],
    ['read', 'a/b/c/d/e', true],
    ['read', 'a//c', true],
    ['read', 'a/c', false],
    ['read', 'a/b', false],
    ['read', '$foo/x', true],
    ['write', '$foo', true],
    ['read', '/leading', true],
    ['read', 'leading', false],
    ['read', 'trailing/', true],
    ['read', 'trailing', false],
    ['read', '$SYS/broker/version', false],
    ['write', '$SYSTEM/x', false],
    ['write', '$sharefoo/x', false],
    ['write', '$share/g/x', false],
    ['subscribe', '$share/g/x', true],
    ['unsubscribe', '$share/g/x', true],
  ]),
};

const plusAlone: AclScenario = {
  name: 'a lone single-level wildcard',
  acl: 'topic read +\n',
  cases: rows(anon('s1'), [
    ['read', 'x', true],
    ['read', 'x/y', false],
    ['read', '/', false],
    ['read', '$x', false],
  ]),
};

const precedence: AclScenario = {
  name: 'user rules before patterns',
  acl: [
    'user alice',
    'topic read p/#',
    'topic deny q/#',
    'pattern deny p/%u',
    'pattern read q/%u',
    'pattern read r/%c/#',
  ].join('\n'),
  cases: [
    ...rows(user('alice', 'ida'), [
      ['read', 'p/alice', true],
      ['read', 'q/alice', false],
      ['read', 'r/ida/x', true],
    ]),
    ...rows(user('bob', 'idb'), [
      ['read', 'p/bob', false],
      ['read', 'q/bob', true],
      ['read', 'p/x', false],
    ]),
    ...rows(anon('idn'), [
      ['read', 'r/idn', true],
      ['read', 'q/x', false],
    ]),
  ],
};

const noAnonymous: AclScenario = {
  name: 'no anonymous section, no patterns',
  acl: 'user alice\ntopic read a/#\n',
  cases: [
    ...rows(anon('n1'), [
      ['read', 'a/x', false],
      ['write', 'a/x', false],
      ['subscribe', 'a/#', true],
    ]),
    ...rows(user('alice', 'n2'), [
      ['read', 'a/x', true],
      ['write', 'a/x', false],
    ]),
  ],
};

const layout: AclScenario = {
  name: 'CRLF, spaces and odd lines',
  acl: [
    'topic read',
    '  topic   write   multi  space  ',
    'topic deny',
    '# topic readwrite commented/#',
    'user  john smith  ',
    'topic readwrite john/#\t',
    '',
  ].join('\r\n'),
  cases: [
    ...rows(anon('l1'), [
      ['write', 'read', true],
      ['read', 'read', true],
      ['write', 'deny', true],
      ['write', 'multi  space', true],
      ['write', 'multi space', false],
      ['read', 'commented/x', false],
    ]),
    ...rows(user('john smith'), [
      ['write', 'john/x', true],
      ['write', 'read', false],
    ]),
  ],
};

const leadingPatterns: AclScenario = {
  name: 'patterns that start with %u or %c',
  acl: 'pattern readwrite %u/feed\npattern read %c\n',
  cases: [
    // Mosquitto lets a username starting with '$' reach a '$' topic.
    ...rows(user('$foo', 's1'), [
      ['read', '$foo/feed', true],
      ['write', '$foo/feed', true],
    ]),
    ...rows(user('x', 's2'), [
      ['read', 'x/feed', true],
      ['read', '$foo/feed', false],
      ['read', 's2', true],
    ]),
    ...rows(anon('$foo'), [
      ['read', '$foo', true],
      ['read', 'x/feed', false],
    ]),
  ],
};

const longName = `n${'é'.repeat(3000)}`;
const longTopic = `t/${'x'.repeat(20000)}`;
const longLines: AclScenario = {
  name: 'lines of tens of thousands of characters',
  acl: `user ${longName}\ntopic readwrite ${longTopic}/#\n`,
  cases: [
    ...rows(user(longName, 'long1'), [
      ['write', `${longTopic}/x`, true],
      ['write', 't/x', false],
    ]),
    ...rows(user(longName.slice(0, -1), 'long2'), [['write', `${longTopic}/x`, false]]),
  ],
};

export const aclScenarios: AclScenario[] = [
  order,
  wildcards,
  plusAlone,
  precedence,
  noAnonymous,
  layout,
  leadingPatterns,
  longLines,
];

/** One line per case, for test names and failure messages. */
export function describeCase(c: AclCase): string {
  const who =
    c.client.username === undefined
      ? 'anonymous'
      : `user ${JSON.stringify(c.client.username)}`;
  const verdict = c.allowed ? 'allowed' : 'refused';
  const topic =
    c.topic.length > 40 ? `${c.topic.slice(0, 20)}...(${c.topic.length})` : c.topic;
  const id = JSON.stringify(c.client.id);
  return `${who.slice(0, 60)} id ${id} ${c.access} ${JSON.stringify(topic)}: ${verdict}`;
}
