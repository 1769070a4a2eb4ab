/**
 * Options that belong to one or two of the tools: what midge_pub and
 * midge_rr send, what midge_sub and midge_rr print and when they stop.
 */
import { checkFormat } from '../output/format-check.js';
import { atof, atoi } from './c-numbers.js';
import { type ClientConfig, maxPayload, PubMode } from './config.js';
import { fail } from './errors.js';
import {
  allTools,
  type OptionSpec,
  printers,
  pubOnly,
  rrOnly,
  senders,
  subOnly,
} from './option-spec.js';
import { addTopic, checkFilterArg, setResponseTopic } from './topic-args.js';

function oneMode(cfg: ClientConfig): void {
  if (cfg.pubMode !== PubMode.None) {
    fail('Error: Only one type of message can be sent at once.\n\n');
  }
}

type ToolKinds = OptionSpec['tools'];

function mode(names: string[], tools: ToolKinds, pubMode: PubMode): OptionSpec {
  return {
    names,
    tools,
    before: oneMode,
    set: (cfg) => {
      cfg.pubMode = pubMode;
    },
  };
}

function flag(names: string[], tools: ToolKinds, set: (c: ClientConfig) => void) {
  return { names, tools, set } satisfies OptionSpec;
}

function setMessage(cfg: ClientConfig, value: string): void {
  if (Buffer.byteLength(value) > maxPayload) {
    fail(`Error: Message length must be less than ${maxPayload} bytes.\n\n`);
  }
  cfg.message = value;
  cfg.pubMode = PubMode.Message;
}

function setRepeatDelay(cfg: ClientConfig, value: string): void {
  // Mosquitto works in single-precision float here; so does midge.
  const seconds = Math.fround(atof(value));
  if (seconds < 0) fail('Error: --repeat-delay argument must be >=0.0.\n\n');
  cfg.repeatDelayUs = Math.trunc(Math.fround(seconds * Math.fround(1e6)));
}

function setCount(cfg: ClientConfig, value: string): void {
  const count = atoi(value);
  if (count < 1) fail(`Error: Invalid message count "${count}".\n\n`);
  cfg.msgCount = count;
}

function setTimeout(cfg: ClientConfig, value: string): void {
  const seconds = atoi(value);
  if (seconds < 1) fail(`Error: Invalid timeout "${seconds}".\n\n`);
  cfg.timeout = seconds;
}

function setRandomFilter(cfg: ClientConfig, value: string): void {
  // Kept out of 10000 as Mosquitto keeps it, so "--random-filter 100"
  // prints one message in ten, exactly as mosquitto_sub 2.0 does.
  const chance = Math.trunc(10 * atof(value));
  if (!(chance >= 1 && chance <= 10000)) {
    fail('Error: --random-filter chance must be between 0.1-100.0\n\n');
  }
  cfg.randomFilter = chance;
}

function setFormat(cfg: ClientConfig, value: string): void {
  const problem = checkFormat(value);
  if (problem) fail(problem);
  cfg.format = value;
}

export const toolOptions: OptionSpec[] = [
  {
    names: ['-t', '--topic'],
    tools: allTools,
    missing: '-t argument given but no topic specified',
    set: (c, v) => addTopic(c, v, '-t'),
  },
  {
    names: ['-m', '--message'],
    tools: senders,
    before: oneMode,
    missing: '-m argument given but no message specified',
    set: setMessage,
  },
  {
    names: ['-f', '--file'],
    tools: senders,
    before: oneMode,
    missing: '-f argument given but no file specified',
    set: (c, v) => {
      c.pubMode = PubMode.File;
      c.fileInput = v;
    },
  },
  mode(['-l', '--stdin-line'], pubOnly, PubMode.StdinLine),
  mode(['-s', '--stdin-file'], senders, PubMode.StdinFile),
  mode(['-n', '--null-message'], senders, PubMode.Null),
  flag(['-r', '--retain'], pubOnly, (c) => {
    c.retain = true;
  }),
  {
    names: ['--repeat'],
    tools: pubOnly,
    missing: '--repeat argument given but no count specified',
    set: (c, v) => {
      c.repeatCount = atoi(v);
      if (c.repeatCount < 1) fail('Error: --repeat argument must be >0.\n\n');
    },
  },
  {
    names: ['--repeat-delay'],
    tools: pubOnly,
    missing: '--repeat-delay argument given but no time specified',
    set: setRepeatDelay,
  },
  {
    names: ['-C'],
    tools: subOnly,
    missing: '-C argument given but no count specified',
    set: setCount,
  },
  flag(['-E'], subOnly, (c) => {
    c.exitAfterSub = true;
  }),
  {
    names: ['-e'],
    tools: rrOnly,
    missing: '-e argument given but no response topic specified',
    set: setResponseTopic,
  },
  {
    names: ['-F'],
    tools: printers,
    missing: '-F argument given but no format specified',
    set: setFormat,
  },
  flag(['-N'], printers, (c) => {
    c.eol = false;
  }),
  flag(['--pretty'], printers, (c) => {
    c.pretty = true;
  }),
  flag(['-R'], printers, (c) => {
    c.noRetain = true;
  }),
  {
    names: ['--random-filter'],
    tools: subOnly,
    missing: '--random-filter argument given but no chance specified',
    set: setRandomFilter,
  },
  flag(['--remove-retained'], subOnly, (c) => {
    c.removeRetained = true;
  }),
  flag(['--retain-as-published'], printers, (c) => {
    c.retainAsPublished = true;
  }),
  flag(['--retained-only'], subOnly, (c) => {
    c.retainedOnly = true;
  }),
  {
    names: ['-T', '--filter-out'],
    tools: subOnly,
    missing: '-T argument given but no topic filter specified',
    set: (c, v) => {
      checkFilterArg(v, '-T', 'filter');
      c.filterOuts.push(v);
    },
  },
  {
    names: ['-U', '--unsubscribe'],
    tools: subOnly,
    missing: '-U argument given but no unsubscribe topic specified',
    set: (c, v) => {
      checkFilterArg(v, '-U', 'unsubscribe');
      c.unsubTopics.push(v);
    },
  },
  flag(['-v', '--verbose'], printers, (c) => {
    c.verbose = true;
  }),
  {
    names: ['-W'],
    tools: printers,
    missing: '-W argument given but no timeout specified',
    set: setTimeout,
  },
];
