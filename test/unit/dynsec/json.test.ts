import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cInt,
  decodePayload,
  getBool,
  getInt,
  getString,
  JsonObject,
  type JsonValue,
  parseJson,
} from '../../../src/dynsec/json.js';
import { printFormatted } from '../../../src/dynsec/json-print.js';

function obj(text: string): JsonObject {
  const value = parseJson(text);
  assert.ok(value instanceof JsonObject, `not an object: ${text}`);
  return value;
}

/** The parsed value as plain data, to compare with deepEqual. */
function plain(v: JsonValue | undefined): unknown {
  if (v instanceof JsonObject) return v.entries.map(([k, x]) => [k, plain(x)]);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('dynsec json - parsed as cJSON parses', () => {
  test('json - keys are found ignoring ASCII case, first duplicate wins', () => {
    const o = obj('{"UserName":"a","username":"b","ÉTÉ":1}');
    assert.equal(o.get('username'), 'a');
    assert.equal(o.get('USERNAME'), 'a');
    // Only ASCII letters fold, as C's tolower does in the C locale.
    assert.equal(o.get('été'), undefined);
    assert.equal(o.get('ÉTÉ'), 1);
  });

  test('json - numbers: leading zeros, fractions, exponents', () => {
    assert.deepEqual(
      plain(parseJson('[01, -0.5, 1e3, 2.7E-1, 1.]')),
      [1, -0.5, 1000, 0.27, 1],
    );
  });

  test('json - refused: what cJSON refuses', () => {
    const refused = [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      '+1',
      '.5',
      '{a:1}',
      "{'a':1}",
      '"\\x"',
      '"\\u12"',
      '"\\ud800"',
      '"\\udc00"',
      '"\\ud800\\u0041"',
      'nul',
      '"open',
      `${'['.repeat(1001)}${']'.repeat(1001)}`,
    ];
    for (const text of refused) assert.equal(parseJson(text), undefined, text);
  });

  test('json - accepted: trailing text, blanks below space, BOM, deep nesting', () => {
    assert.deepEqual(plain(parseJson('{"a":1}xyz')), [['a', 1]]);
    assert.deepEqual(plain(parseJson('\x01\t [true]')), [true]);
    assert.deepEqual(plain(parseJson('\uFEFF[null]')), [null]);
    assert.ok(parseJson(`${'['.repeat(1000)}${']'.repeat(1000)}`));
  });

  test('json - strings: escapes, pairs, cut at NUL', () => {
    assert.equal(parseJson('"a\\"b\\\\c\\/d\\n\\t"'), 'a"b\\c/d\n\t');
    assert.equal(parseJson('"\\ud83d\\ude00 \\u00e9"'), '😀 é');
    assert.equal(parseJson('"ab\\u0000cd"'), 'ab');
    assert.equal(parseJson('"raw\u0001ctl"'), 'raw\u0001ctl');
    assert.deepEqual(plain(parseJson('{"user\\u0000x":1}')), [['user', 1]]);
  });

  test('json - bytes that are not UTF-8 become U+FFFF', () => {
    const bytes = Buffer.concat([
      Buffer.from('"a'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('b"'),
    ]);
    assert.equal(decodePayload(bytes), '"a\uffff\uffffb"');
    assert.equal(decodePayload(Buffer.from('"é😀"')), '"é😀"');
  });

  test('json - field readers follow json_get_*', () => {
    const o = obj('{"s":"x","n":2.9,"big":1e12,"neg":-1e12,"b":true,"w":"1"}');
    assert.deepEqual(getString(o, 's', false), { ok: true, value: 'x' });
    assert.deepEqual(getString(o, 'missing', false), { ok: false, value: undefined });
    assert.deepEqual(getString(o, 'missing', true), { ok: true, value: undefined });
    assert.deepEqual(getString(o, 'n', true), { ok: false, value: undefined });
    assert.deepEqual(getInt(o, 'n', -1), { ok: true, value: 2 });
    assert.deepEqual(getInt(o, 'w', -1), { ok: false, value: -1 });
    assert.equal(getInt(o, 'big', 0).value, 2147483647);
    assert.equal(getInt(o, 'neg', 0).value, -2147483648);
    assert.deepEqual(getBool(o, 'b', false), { ok: true, value: true });
    assert.deepEqual(getBool(o, 'n', false), { ok: false, value: false });
    assert.equal(cInt(-2.9), -2);
  });
});

describe('dynsec json - printed as cJSON_Print prints', () => {
  test('print - the layout of a file written by mosquitto_ctrl dynsec init', () => {
    const value = {
      clients: [{ username: 'admin', iterations: 101, roles: [{ rolename: 'admin' }] }],
      roles: [],
      defaultACLAccess: { publishClientSend: false },
    };
    const expected = [
      '{',
      '\t"clients":\t[{',
      '\t\t\t"username":\t"admin",',
      '\t\t\t"iterations":\t101,',
      '\t\t\t"roles":\t[{',
      '\t\t\t\t\t"rolename":\t"admin"',
      '\t\t\t\t}]',
      '\t\t}],',
      '\t"roles":\t[],',
      '\t"defaultACLAccess":\t{',
      '\t\t"publishClientSend":\tfalse',
      '\t}',
      '}',
    ].join('\n');
    assert.equal(printFormatted(value), expected);
  });

  test('print - objects in one array, empty objects, escapes, no undefined keys', () => {
    assert.equal(printFormatted({}), '{\n}');
    assert.equal(printFormatted({ a: {} }), '{\n\t"a":\t{\n\t}\n}');
    assert.equal(printFormatted({ a: undefined, b: 'q"\n' }), '{\n\t"b":\t"q\\"\\n"\n}');
    assert.equal(
      printFormatted([{ x: 1 }, { y: 2 }]),
      '[{\n\t\t"x":\t1\n\t}, {\n\t\t"y":\t2\n\t}]',
    );
    assert.equal(printFormatted(['a', 1, true]), '["a", 1, true]');
  });
});
