/**
 * docs/configuration.md carries the option reference generated from the
 * option table; this fails when they disagree. MIDGE_WRITE_DOCS=1 rewrites
 * the generated part instead.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { builtFeatures } from '../../../src/cli/server-spec.js';
import { OPTION_TABLE, optionReference } from '../../../src/config/index.js';

const DOC = new URL('../../../docs/configuration.md', import.meta.url).pathname;
const START = '<!-- options:start -->\n';
const END = '<!-- options:end -->';

function generatedPart(doc: string): { before: string; part: string; after: string } {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, 'docs/configuration.md lacks the option markers');
  return {
    before: doc.slice(0, start + START.length),
    part: doc.slice(start + START.length, end),
    after: doc.slice(end),
  };
}

test('docs - the option reference matches the option table', () => {
  const doc = readFileSync(DOC, 'utf8');
  const { before, part, after } = generatedPart(doc);
  const expected = optionReference(builtFeatures);
  if (process.env.MIDGE_WRITE_DOCS === '1' && part !== expected) {
    writeFileSync(DOC, before + expected + after);
    return;
  }
  // Compare the option lists first, for a readable failure.
  const documented = [...part.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]);
  assert.deepEqual(
    documented,
    OPTION_TABLE.map((s) => s.name),
  );
  assert.equal(part, expected, 'run MIDGE_WRITE_DOCS=1 node test/run.mjs config/docs');
});
