/**
 * The -F formatter as a pure function: every % code, the flags, width and
 * precision rules (Mosquitto's own, where they are not printf's), the @
 * time codes and backslash escapes, -N, and %j/%J JSON. Expected strings
 * are what mosquitto_sub 2.0.11 printed for the same message.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fixedClock,
  formatMessage,
  type OutputMessage,
} from '../../../src/cli/output/index.js';

process.env.TZ = 'UTC';

// 2026-12-04T15:02:31 UTC plus 461148595 ns, a Friday.
const clock = fixedClock(1796396551, 461148595);

const v5: OutputMessage = {
  topic: 'a/j',
  payload: Buffer.from('{"x":1}'),
  qos: 1,
  retain: true,
  mid: 7,
  properties: {
    userProperties: [
      ['k', 'v'],
      ['k2', 'v2'],
    ],
    contentType: 'text/json',
    responseTopic: 'r/t',
    correlationData: Buffer.from('cd1'),
    payloadFormatIndicator: 1,
    messageExpiryInterval: 96,
  },
};

const plain: OutputMessage = {
  topic: 'a/b',
  payload: Buffer.from('hello'),
  qos: 0,
  retain: false,
  mid: 0,
};

const empty: OutputMessage = { ...plain, payload: Buffer.alloc(0) };

function fmt(format: string, message: OutputMessage = plain, pretty = false): string {
  return formatMessage(format, message, { clock, pretty }).toString('latin1');
}

describe('% codes', () => {
  test('message fields', () => {
    assert.equal(fmt('%t|%p|%q|%r|%m|%l|%%'), 'a/b|hello|0|0|0|5|%\n');
    assert.equal(fmt('%t|%q|%r|%m|%l', v5), 'a/j|1|1|7|7\n');
    assert.equal(
      fmt('%x|%X', { ...plain, payload: Buffer.from([0xab, 0x01]) }),
      'ab01|AB01\n',
    );
  });

  test('MQTT 5 properties, and what an absent one prints', () => {
    assert.equal(
      fmt('%C|%R|%D|%E|%F|%P|%A|%S', v5),
      'text/json|r/t|cd1|96|1|k:v k2:v2||\n',
    );
    assert.equal(fmt('[%C|%R|%D|%E|%F|%P|%A|%S]'), '[|||||||]\n');
    assert.equal(fmt('[%5C|%5R|%5E|%05F|%3A|%03S]'), '[     ||     |00000|   |000]\n');
    const ids = {
      ...plain,
      properties: { subscriptionIdentifiers: [3, 9], topicAlias: 4 },
    };
    assert.equal(fmt('%S|%3A', ids), '3|  4\n');
  });

  test('message expiry beyond 2^31 prints through a C int', () => {
    const long = { ...plain, properties: { messageExpiryInterval: 4294967295 } };
    assert.equal(fmt('%E', long), '-1\n');
  });
});

describe('flags, width and precision', () => {
  test('strings: %t %C %R %I pad with spaces and cut at the precision', () => {
    assert.equal(
      fmt('|%10t|%-10t|%.2t|%6.2t|%-6.2t|%.0t|%010t|'),
      '|       a/b|a/b       |a/|    a/|a/    ||       a/b|\n',
    );
    assert.equal(fmt('|%12C|%-12.4C|%.1R|', v5), '|   text/json|text        |r|\n');
  });

  test('numbers: zero padding, left alignment wins over 0', () => {
    assert.equal(
      fmt('|%5l|%-5l|%05l|%-05l|%3m|%03m|', v5),
      '|    7|7    |00007|7    |  7|007|\n',
    );
  });

  test('a width cuts %p to that many bytes, %x/%X to half as many', () => {
    const seven = { ...plain, payload: Buffer.from('a\x01b\xc3\x84"\\', 'latin1') };
    assert.equal(
      fmt('|%5p|%-5p|%.2p|', seven),
      '|a\x01b\xc3\x84|a\x01b\xc3\x84|a\x01b\xc3\x84"\\|\n',
    );
    assert.equal(fmt('|%4x|%10X|', seven), '|6101|    610162|\n');
    assert.equal(
      fmt('|%5p|%-5p|%05p|%4x|%10X|', empty),
      '|     |     |00000|    |          |\n',
    );
    const tab = { ...plain, payload: Buffer.from('\t\n\x7f') };
    assert.equal(fmt('|%4x|%-4x|%04x|', tab), '|  09|09  |0009|\n');
  });

  test('widths count bytes, as printf does', () => {
    const utf8 = { ...plain, topic: 'é/ü' };
    const out = formatMessage('|%6t|%.3t|', utf8, { clock });
    assert.equal(out.toString(), '| é/ü|é/|\n');
  });
});

describe('time codes', () => {
  test('%I, %U, @N and strftime letters in local time', () => {
    assert.equal(
      fmt('%I|%U|@N'),
      '2026-12-04T15:02:31+0000|1796396551.461148595|461148595\n',
    );
    assert.equal(
      fmt('@Y-@m-@dT@H:@M:@S@z @a @A @b @B @j @p @s @@'),
      '2026-12-04T15:02:31+0000 Fri Friday Dec December 338 PM 1796396551 @\n',
    );
    assert.equal(
      fmt('@c|@D|@e|@F|@R|@T|@x|@X|@y|@C|@u|@w|@Z'),
      'Fri Dec  4 15:02:31 2026|12/04/26| 4|2026-12-04|15:02|15:02:31|12/04/26|' +
        '15:02:31|26|20|5|5|UTC\n',
    );
    assert.equal(
      fmt('@U|@W|@V|@G|@g|@I|@l|@k|@P|@%|@Q'),
      '48|48|49|2026|26|03| 3|15|pm|%|%Q\n',
    );
    assert.equal(
      fmt('%20I|%-26.10I|'),
      '2026-12-04T15:02:31+0000|2026-12-04                |\n',
    );
  });
});

describe('escapes and end of line', () => {
  test('backslash escapes', () => {
    assert.equal(
      fmt('\\\\|\\0|\\a|\\e|\\n|\\r|\\t|\\v'),
      '\\|\0|\x07|\x1b|\n|\r|\t|\v\n',
    );
  });

  test('-N leaves the newline out; an empty format prints only the newline', () => {
    assert.equal(formatMessage('%p', plain, { eol: false, clock }).toString(), 'hello');
    assert.equal(fmt(''), '\n');
  });
});

describe('%j and %J', () => {
  const tst = '"tst":"2026-12-04T15:02:31.461148Z+0000"';

  test('keys: tst, topic, qos, retain, payloadlen, mid, properties, payload', () => {
    assert.equal(
      fmt('%j', v5),
      `{${tst},"topic":"a/j","qos":1,"retain":1,"payloadlen":7,"mid":7,"properties":{` +
        '"user-properties":{"k":"v","k2":"v2"},"content-type":"text/json",' +
        '"response-topic":"r/t","correlation-data":"cd1","payload-format-indicator":1,' +
        '"message-expiry-interval":96},' +
        '"payload":"{\\"x\\":1}"}\n',
    );
    assert.equal(
      fmt('%j', empty),
      `{${tst},"topic":"a/b","qos":0,"retain":0,"payloadlen":0,"payload":null}\n`,
    );
  });

  test('%j escapes the payload as cJSON does and stops at a zero byte', () => {
    const odd = {
      ...plain,
      payload: Buffer.from('a\x01"\\\t\x7f\xc3\xa9\0rest', 'latin1'),
    };
    assert.match(fmt('%j', odd), /"payload":"a\\u0001\\"\\\\\\t\x7f\xc3\xa9"}\n$/);
  });

  test('%J embeds a JSON payload as cJSON prints it again', () => {
    const json = {
      ...plain,
      payload: Buffer.from(' {"a":[1,2.5e3,true,null,"x\\u00e9\\/"],"n":-0.0} '),
    };
    assert.match(
      fmt('%J', json),
      /"payload":\{"a":\[1,2500,true,null,"x\xc3\xa9\/"\],"n":-0\}\}\n$/,
    );
  });

  test('%J of a payload that is not JSON: error for stderr, the rest printed', () => {
    const errors: string[] = [];
    const out = formatMessage('[%J]', plain, { clock, onError: (e) => errors.push(e) });
    assert.equal(out.toString(), '[]\n');
    assert.deepEqual(errors, [
      'Error: Message payload is not valid JSON on topic a/b.\n',
    ]);
  });

  test('--pretty: cJSON_Print layout', () => {
    const json = { ...plain, payload: Buffer.from('{"b":{},"c":[],"d":{"e":[{}]}}') };
    assert.equal(
      fmt('%J', json, true),
      '{\n\t"tst":\t"2026-12-04T15:02:31.461148Z+0000",\n\t"topic":\t"a/b",\n' +
        '\t"qos":\t0,\n' +
        '\t"retain":\t0,\n\t"payloadlen":\t30,\n\t"payload":\t{\n\t\t"b":\t{\n\t\t},\n' +
        '\t\t"c":\t[],\n\t\t"d":\t{\n\t\t\t"e":\t[{\n\t\t\t\t}]\n\t\t}\n\t}\n}\n',
    );
  });
});
