/**
 * The SQLite database's tables and how a file is recognised: the header
 * field `application_id` says "this is midge's" and `user_version` gives
 * the schema version. A later midge that changes the tables raises the
 * version and migrates older files forward; an older midge refuses a file
 * whose version it does not know rather than misread it.
 *
 * Versions: 1, the tables; 2, the outgoing log (./outgoing-log.ts), which
 * a midge reading only version 1 would ignore, losing messages.
 *
 * The `log` table is written in segments, one per fold: row 0 holds the
 * number of the segment being written, rows 1, 2, ... of that segment are
 * its blobs in order. A fold starts the next segment, whose blobs take the
 * places of the folded ones: SQLite rewrites a page in place rather than
 * freeing pages and taking them back, which costs a commit more pages.
 */

/** "midg" in ASCII. */
export const APPLICATION_ID = 0x6d696467;
export const SCHEMA_VERSION = 2;

/** Column lists of a message stored inline, and its placeholders. */
const MESSAGE = 'topic, payload, qos, retain, expires_at, origin, properties';

export const CREATE_TABLES = `
CREATE TABLE sessions (
  client_id TEXT PRIMARY KEY NOT NULL,
  expiry_interval INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  next_packet_id INTEGER NOT NULL,
  username TEXT,
  will_publish_at INTEGER,
  will_topic TEXT,
  will_payload BLOB,
  will_qos INTEGER,
  will_retain INTEGER,
  will_expires_at INTEGER,
  will_origin TEXT,
  will_properties BLOB
);
CREATE TABLE subscriptions (
  client_id TEXT NOT NULL,
  key TEXT NOT NULL,
  filter TEXT NOT NULL,
  share_group TEXT NOT NULL,
  qos INTEGER NOT NULL,
  no_local INTEGER NOT NULL,
  retain_as_published INTEGER NOT NULL,
  retain_handling INTEGER NOT NULL,
  identifier INTEGER NOT NULL,
  PRIMARY KEY (client_id, key)
) WITHOUT ROWID;
CREATE TABLE outgoing (
  seq INTEGER PRIMARY KEY,
  client_id TEXT NOT NULL,
  message_key INTEGER NOT NULL,
  delivery_qos INTEGER NOT NULL,
  delivery_retain INTEGER NOT NULL,
  subscription_ids TEXT,
  packet_id INTEGER NOT NULL,
  state INTEGER NOT NULL,
  sent INTEGER NOT NULL,
  topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  properties BLOB
);
CREATE TABLE incoming (
  client_id TEXT NOT NULL,
  packet_id INTEGER NOT NULL,
  topic TEXT,
  payload BLOB,
  qos INTEGER,
  retain INTEGER,
  expires_at INTEGER,
  origin TEXT,
  properties BLOB,
  PRIMARY KEY (client_id, packet_id)
);
CREATE TABLE log (
  id INTEGER PRIMARY KEY,
  segment INTEGER NOT NULL,
  data BLOB NOT NULL
);
INSERT INTO log VALUES (0, 0, x'');
CREATE TABLE retained (
  topic TEXT PRIMARY KEY NOT NULL,
  payload BLOB NOT NULL,
  qos INTEGER NOT NULL,
  retain INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  origin TEXT NOT NULL,
  properties BLOB
);
`;

export const TABLES = [
  'sessions',
  'subscriptions',
  'outgoing',
  'incoming',
  'retained',
  'log',
] as const;

/** What turns a file of version N into version N + 1, by N. */
export const MIGRATIONS: Record<number, string> = {
  1: `CREATE TABLE log (id INTEGER PRIMARY KEY, segment INTEGER NOT NULL,
    data BLOB NOT NULL);
    INSERT INTO log VALUES (0, 0, x'');`,
};

/** The statements a commit runs, by name. */
export const WRITES = {
  putSession:
    'INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  removeSession: 'DELETE FROM sessions WHERE client_id = ?',
  removeSessionSubs: 'DELETE FROM subscriptions WHERE client_id = ?',
  removeSessionIncoming: 'DELETE FROM incoming WHERE client_id = ?',
  putSub: 'INSERT OR REPLACE INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  removeSub: 'DELETE FROM subscriptions WHERE client_id = ? AND key = ?',
  putOutgoing: `INSERT OR REPLACE INTO outgoing VALUES
    (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  updateOutgoing: 'UPDATE outgoing SET packet_id = ?, state = ?, sent = ? WHERE seq = ?',
  removeOutgoing: 'DELETE FROM outgoing WHERE seq = ?',
  putIncoming: `INSERT OR REPLACE INTO incoming (client_id, packet_id, ${MESSAGE})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  removeIncoming: 'DELETE FROM incoming WHERE client_id = ? AND packet_id = ?',
  putRetained: `INSERT OR REPLACE INTO retained (${MESSAGE})
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  removeRetained: 'DELETE FROM retained WHERE topic = ?',
  /** A blob at its place in the segment, over what an older one left there. */
  appendLog: 'INSERT OR REPLACE INTO log VALUES (?, ?, ?)',
  /** Row 0 names the segment being written; older rows are folded. */
  newSegment: "INSERT OR REPLACE INTO log VALUES (0, ?, x'')",
  tidyLog: 'DELETE FROM log WHERE id > 0',
} as const;

export type WriteName = keyof typeof WRITES;
