/**
 * midge_passwd: mosquitto_passwd's command line, messages and exit codes
 * (observed on Debian's 2.0.11), so scripts written for one work with the
 * other. The process glue (terminal, stdin) is in src/cli/midge-passwd.ts;
 * this module gets it through {@link PasswdIo} and can be tested without a
 * process.
 *
 *   midge_passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c | -D] file user
 *   midge_passwd [-H ...] [-I iterations] [-c] -b file user password
 *   midge_passwd -U file
 *
 * Exit codes: 0 done, 1 any error, 2 the two passwords typed differ.
 */
import { realpath } from 'node:fs/promises';
import { errnoText } from '../io/errno-text.js';
import { editPasswordFile, type PasswdEdit, PasswdEditError } from './passwd-edit.js';
import { readForUpdate, writeAtomically } from './passwd-write.js';
import {
  atoi,
  createPasswordHash,
  DEFAULT_ITERATIONS,
  formatPasswordHash,
  type HashKind,
} from './password-hash.js';

export interface PasswdIo {
  out(text: string): void;
  err(text: string): void;
  /** Reads one line without echo; undefined at end of input. */
  readLine(): Promise<string | undefined>;
}

/** Help text as data: one entry per line. */
const USAGE = [
  'midge_passwd manages the password file of midge and Mosquitto brokers.',
  '',
  'Usage: midge_passwd [-H hash] [-I iterations] [-c | -D] file username',
  '       midge_passwd [-H hash] [-I iterations] [-c] -b file username password',
  '       midge_passwd -U file',
  ' -b : batch mode: take the password from the command line.',
  ' -c : create the file, replacing any file of that name.',
  ' -D : delete the user instead of setting a password.',
  ' -H : hash type: sha512-pbkdf2 (the default), or sha512 for Mosquitto 1.6',
  '      and older.',
  ` -I : PBKDF2 iterations (default ${DEFAULT_ITERATIONS}).`,
  ' -U : hash every plain-text password in the file.',
  '',
];

/** Longest username or password Mosquitto accepts, in bytes. */
const MAX_LENGTH = 65535;

interface Options {
  batch: boolean;
  create: boolean;
  remove: boolean;
  upgrade: boolean;
  kind: HashKind;
  iterations: number;
}

interface Job extends Options {
  file: string;
  username?: string;
  password?: string;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs the tool; resolves to the process exit code. */
export async function runPasswd(args: string[], io: PasswdIo): Promise<number> {
  try {
    const job = parseArgs(args, io);
    checkJob(job, io);
    await (job.create ? createFile(job, io) : updateFile(job, io));
    return 0;
  } catch (error) {
    if (error instanceof Exit) return error.code;
    throw error;
  }
}

function fail(io: PasswdIo, message: string, code = 1): never {
  io.err(`${message}\n`);
  throw new Exit(code);
}

function usage(io: PasswdIo): never {
  io.out(USAGE.join('\n'));
  throw new Exit(1);
}

function parseArgs(args: string[], io: PasswdIo): Job {
  if (args.length === 0) usage(io);
  const opts: Options = {
    batch: false,
    create: false,
    remove: false,
    upgrade: false,
    kind: 'sha512-pbkdf2',
    iterations: DEFAULT_ITERATIONS,
  };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-b') opts.batch = true;
    else if (arg === '-c') opts.create = true;
    else if (arg === '-D') opts.remove = true;
    else if (arg === '-U') opts.upgrade = true;
    else if (arg === '-H') opts.kind = hashKind(args[++i], io);
    else if (arg === '-I') opts.iterations = iterations(args[++i], io);
    else break;
  }
  checkConflicts(opts, io);
  return { ...opts, ...positional(opts, args.slice(i), io) };
}

function hashKind(value: string | undefined, io: PasswdIo): HashKind {
  if (value === undefined)
    fail(io, 'Error: -H argument given but not enough other arguments.');
  if (value === 'sha512' || value === 'sha512-pbkdf2') return value;
  fail(io, `Error: Unknown hash type '${value}'`);
}

function iterations(value: string | undefined, io: PasswdIo): number {
  if (value === undefined)
    fail(io, 'Error: -I argument given but not enough other arguments.');
  const count = atoi(value);
  if (count < 1 || count > 0x7fffffff)
    fail(io, 'Error: Number of iterations must be > 0.');
  return count;
}

function checkConflicts(o: Options, io: PasswdIo): void {
  const pairs: [boolean, string][] = [
    [o.create && o.remove, '-c and -D'],
    [o.create && o.upgrade, '-c and -U'],
    [o.remove && o.upgrade, '-D and -U'],
    [o.remove && o.batch, '-b and -D'],
  ];
  for (const [clash, names] of pairs) {
    if (clash) fail(io, `Error: ${names} cannot be used together.`);
  }
}

type Positional = Pick<Job, 'file' | 'username' | 'password'>;

function positional(o: Options, rest: string[], io: PasswdIo): Positional {
  const [file, username, password] = rest;
  if (o.create) {
    const need = o.batch ? 3 : 2;
    if (rest.length < need) {
      const what = o.batch
        ? 'password file, username, or password'
        : 'password file or username';
      fail(io, `Error: -c argument given but ${what} missing.`);
    }
    return { file: file!, username, password: o.batch ? password : undefined };
  }
  if (o.remove) {
    if (rest.length < 2)
      fail(io, 'Error: -D argument given but password file or username missing.');
    return { file: file!, username };
  }
  if (o.upgrade) {
    if (rest.length !== 1)
      fail(io, 'Error: -U argument given but password file missing.');
    return { file: file! };
  }
  if (o.batch && rest.length === 3) return { file: file!, username, password };
  if (!o.batch && rest.length === 2) return { file: file!, username };
  usage(io);
}

function checkJob(job: Job, io: PasswdIo): void {
  const { username, password } = job;
  if (username !== undefined) checkUsername(username, io);
  if (password !== undefined && Buffer.byteLength(password) > MAX_LENGTH) {
    fail(io, 'Error: Password must be less than 65536 characters long.');
  }
}

function checkUsername(username: string, io: PasswdIo): void {
  if (Buffer.byteLength(username) > MAX_LENGTH) {
    fail(io, 'Error: Username must be less than 65536 characters long.');
  }
  // A zero-length username logs in as anonymous, so its entry is useless.
  if (username === '') fail(io, 'Error: Username must not be empty.');
  if (/[\x00-\x1f\x7f]/.test(username)) {
    fail(io, 'Error: Username must not contain control characters.');
  }
  if (username.includes(':'))
    fail(io, "Error: Username must not contain the ':' character.");
}

/** Prompts twice as mosquitto_passwd does; the prompts go to stdout. */
async function askPassword(io: PasswdIo): Promise<string> {
  const first = await ask(io, 'Password: ');
  const second = await ask(io, 'Reenter password: ');
  if (first !== second) fail(io, 'Error: Passwords do not match.', 2);
  return first;
}

async function ask(io: PasswdIo, prompt: string): Promise<string> {
  io.out(prompt);
  const line = await io.readLine();
  if (line === undefined || line === '') fail(io, 'Error: Empty password.');
  io.out('\n');
  return line;
}

function hasher(job: Job): (password: Buffer) => string {
  return (password) =>
    formatPasswordHash(createPasswordHash(password, job.kind, job.iterations));
}

async function createFile(job: Job, io: PasswdIo): Promise<void> {
  const password = job.password ?? (await askPassword(io));
  const path = await resolve(job.file, io);
  const line = `${job.username}:${hasher(job)(Buffer.from(password))}\n`;
  try {
    await writeAtomically(path, Buffer.from(line), true);
  } catch (error) {
    fail(io, `Error: Unable to open file ${path} for writing. ${strerror(error)}.`);
  }
}

async function updateFile(job: Job, io: PasswdIo): Promise<void> {
  const path = await resolve(job.file, io);
  let data: Buffer;
  try {
    data = await readForUpdate(path);
  } catch (error) {
    fail(io, `Error: Unable to open password file ${path}. ${strerror(error)}.`);
  }
  const edited = editOrFail(data, await editFor(job, io), job, io);
  try {
    await writeAtomically(path, edited, false);
  } catch (error) {
    fail(io, `Error occurred updating password file: ${strerror(error)}.`);
  }
}

async function editFor(job: Job, io: PasswdIo): Promise<PasswdEdit> {
  if (job.upgrade) return { op: 'upgrade' };
  const username = job.username!;
  if (job.remove) return { op: 'delete', username };
  const password = job.password ?? (await askPassword(io));
  return { op: 'set', username, password: Buffer.from(password) };
}

function editOrFail(data: Buffer, edit: PasswdEdit, job: Job, io: PasswdIo): Buffer {
  try {
    return editPasswordFile(data, edit, hasher(job));
  } catch (error) {
    if (!(error instanceof PasswdEditError)) throw error;
    fail(io, `${error.kind === 'corrupt' ? 'Error' : 'Warning'}: ${error.message}`);
  }
}

/** Follows symbolic links, so a linked file is edited in place. */
async function resolve(file: string, io: PasswdIo): Promise<string> {
  try {
    return await realpath(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return file;
    fail(io, `Error reading password file: ${strerror(error)}`);
  }
}

/** The C library's wording for an error, as mosquitto_passwd prints it. */
function strerror(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return errnoText(code) ?? (code || String(error));
}
