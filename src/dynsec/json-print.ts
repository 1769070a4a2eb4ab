/**
 * cJSON's formatted layout, which Mosquitto uses for the dynamic-security
 * file: one key per line indented with tabs, a tab after each colon,
 * arrays kept on the line of their key with `}, {` between objects, and
 * no newline at the end. midge writes the same bytes so that a file moved
 * between the two brokers diffs cleanly.
 *
 * Values are plain JavaScript: objects print their keys in insertion
 * order; numbers are whole (the file holds no others).
 */

export type PrintValue =
  | boolean
  | number
  | string
  | readonly PrintValue[]
  | { readonly [key: string]: PrintValue | undefined };

/** The value as cJSON_Print would lay it out. */
export function printFormatted(value: PrintValue): string {
  return print(value, 0);
}

function print(value: PrintValue, depth: number): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return printArray(value as readonly PrintValue[], depth);
  return printObject(value as { readonly [key: string]: PrintValue | undefined }, depth);
}

// cJSON counts an array as one level of depth although it adds no line
// breaks; objects inside it are indented one tab further.
function printArray(items: readonly PrintValue[], depth: number): string {
  return `[${items.map((item) => print(item, depth + 1)).join(', ')}]`;
}

function printObject(
  obj: { readonly [key: string]: PrintValue | undefined },
  depth: number,
): string {
  const inner = '\t'.repeat(depth + 1);
  const lines: string[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    lines.push(`${inner}${JSON.stringify(key)}:\t${print(value, depth + 1)}`);
  }
  const body = lines.length === 0 ? '' : `${lines.join(',\n')}\n`;
  return `{\n${body}${'\t'.repeat(depth)}}`;
}
