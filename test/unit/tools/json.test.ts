/**
 * cJSON compatibility of %J: which payloads count as JSON, and how numbers
 * and strings come out again. Vectors checked against mosquitto_sub 2.0.11
 * (Debian's, built with cJSON).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJsonPayload } from '../../../src/cli/output/json-parse.js';
import { cJsonNumber, formatG, printJson } from '../../../src/cli/output/json-value.js';

function reprint(text: string | Buffer, pretty = false): string | undefined {
  const value = parseJsonPayload(
    Buffer.isBuffer(text) ? text : Buffer.from(text, 'latin1'),
  );
  return value && printJson(value, pretty).toString('latin1');
}

describe('numbers', () => {
  test('printf %g with 15 significant digits, 17 when 15 do not read back', () => {
    const cases: Array<[number, string]> = [
      [1, '1'],
      [2500, '2500'],
      [-0, '-0'],
      [0.1, '0.1'],
      [1e300, '1e+300'],
      [1e-7, '1e-07'],
      [12345678901, '12345678901'],
      [-2147483648, '-2147483648'],
      [Math.PI, '3.1415926535897931'],
      [123456789012345680000, '1.2345678901234568e+20'],
      [-1500, '-1500'],
      [1e15, '1e+15'],
      [123456789012345, '123456789012345'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
    ];
    for (const [value, text] of cases)
      assert.equal(cJsonNumber(value), text, String(value));
    assert.equal(cJsonNumber(Number.POSITIVE_INFINITY), 'null');
    assert.equal(formatG(0.5, 1), '0.5');
  });
});

describe('parsing as cJSON does', () => {
  test('accepted and re-printed', () => {
    assert.equal(reprint(' [1, 2 ] '), '[1,2]');
    assert.equal(reprint('01'), '1');
    assert.equal(reprint('1.'), '1');
    assert.equal(reprint('"str"'), '"str"');
    assert.equal(reprint('{"a":1,"a":2}'), '{"a":1,"a":2}');
    assert.equal(reprint('\xef\xbb\xbf{}'), '{}', 'a UTF-8 byte order mark may lead');
    assert.equal(
      reprint('\x01\x1f[true]\x02'),
      '[true]',
      'bytes up to 0x20 are white space',
    );
    assert.equal(reprint('"\\u00e9\\ud83d\\ude00\\/"'), '"\xc3\xa9\xf0\x9f\x98\x80/"');
    assert.equal(reprint('"a\\u0000b"'), '"a"', '\\u0000 ends the string');
    assert.equal(reprint('"x\\u12g4y"'), '"x"', 'bad hex digits read as \\u0000');
    assert.equal(reprint('"raw\ttab\x01"'), '"raw\\ttab\\u0001"');
    assert.equal(reprint('-1.5E+3'), '-1500');
  });

  test('refused', () => {
    for (const text of [
      'nope',
      '',
      '{"a":1}x',
      '[1,]',
      '{a:1}',
      '+1',
      '.5',
      '"\\x"',
      '"\\ud83d"',
      '"\\ude00x"',
      '"open',
      '{"a" 1}',
      'tru',
    ]) {
      assert.equal(reprint(text), undefined, JSON.stringify(text));
    }
    assert.equal(
      reprint(Buffer.from('{}\0')),
      undefined,
      'a zero byte cuts the text short',
    );
  });

  test('nesting stops at 1000 levels', () => {
    assert.ok(reprint(`${'['.repeat(1000)}${']'.repeat(1000)}`));
    assert.equal(reprint(`${'['.repeat(1001)}${']'.repeat(1001)}`), undefined);
  });
});

describe('printing', () => {
  test('--pretty layout: tabs, key:<tab>value, arrays on one line', () => {
    assert.equal(
      reprint('{"a":[1,{"b":[]}],"c":{}}', true),
      '{\n\t"a":\t[1, {\n\t\t\t"b":\t[]\n\t\t}],\n\t"c":\t{\n\t}\n}',
    );
    assert.equal(reprint('[]', true), '[]');
    assert.equal(reprint('{}', true), '{\n}');
  });

  test('escapes: " \\ \\b \\f \\n \\r \\t, other control bytes as \\u00XX', () => {
    assert.equal(
      reprint('"\\"\\\\\\b\\f\\n\\r\\t\\u0007\\u007f"'),
      '"\\"\\\\\\b\\f\\n\\r\\t\\u0007\x7f"',
    );
  });
});
