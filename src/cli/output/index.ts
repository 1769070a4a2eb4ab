/** Message output for midge_sub and midge_rr: -F, -v, -N, %j/%J JSON. */
export { type Clock, fixedClock, type Instant, systemClock } from './clock.js';
export { checkFormat } from './format-check.js';
export { type FormatOptions, formatMessage } from './formatter.js';
export { parseJsonPayload } from './json-parse.js';
export type { OutputMessage } from './message.js';
export { messageJson, timestamp } from './message-json.js';
export { type PrintOptions, printMessage } from './print-message.js';
