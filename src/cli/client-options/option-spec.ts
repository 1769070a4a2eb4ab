/**
 * The shape of one entry of the option table. The table itself is data
 * (names, tools, the message for a missing value); the small `set`
 * functions hold the checks Mosquitto makes on each value.
 */
import type { ClientConfig, ToolKind } from './config.js';

export interface OptionSpec {
  /** Short and long spellings, e.g. ['-h', '--host']. */
  names: readonly string[];
  /** The tools that know the option; the others call it unknown. */
  tools: readonly ToolKind[];
  /** Text after "Error: " when the value is missing; flags have none. */
  missing?: string;
  /** Checks Mosquitto makes before it looks for the value. */
  before?: (cfg: ClientConfig) => void;
  /** Applies the value ('' for a flag). */
  set?: (cfg: ClientConfig, value: string) => void;
  /**
   * For options with several values (-D): reads from argv[i + 1] on and
   * returns the index of the last argument used.
   */
  parse?: (cfg: ClientConfig, argv: string[], i: number) => number;
  /** What the option makes the parser stop with. */
  result?: 'help' | 'version';
}

export const allTools: readonly ToolKind[] = ['pub', 'sub', 'rr'];
export const pubOnly: readonly ToolKind[] = ['pub'];
export const subOnly: readonly ToolKind[] = ['sub'];
export const rrOnly: readonly ToolKind[] = ['rr'];
/** Tools that send a message: midge_pub and midge_rr. */
export const senders: readonly ToolKind[] = ['pub', 'rr'];
/** Tools that print messages: midge_sub and midge_rr. */
export const printers: readonly ToolKind[] = ['sub', 'rr'];
