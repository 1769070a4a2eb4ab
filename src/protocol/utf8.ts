/**
 * UTF-8 validation for MQTT.
 *
 * MQTT strings [MQTT-1.5.4-1] must be well-formed UTF-8 (no overlong forms,
 * no UTF-16 surrogates, nothing above U+10FFFF) and must not contain U+0000
 * [MQTT-1.5.4-2]. Mosquitto goes further and also refuses the control
 * characters U+0001..U+001F and U+007F..U+009F and the Unicode
 * non-characters (U+FDD0..U+FDEF and every U+xxFFFE / U+xxFFFF); the spec
 * only says a receiver MAY refuse them [MQTT-1.5.4-3 is about U+FEFF]. midge
 * is a drop-in for Mosquitto, so it refuses the same strings: a topic
 * Mosquitto would drop as malformed is dropped by midge too.
 */
import { isUtf8 } from 'node:buffer';

/** True if bytes [start, end) of `buf` form a string Mosquitto accepts. */
export function isValidMqttUtf8(buf: Uint8Array, start: number, end: number): boolean {
  // Fast path: printable ASCII is by far the common case.
  let i = start;
  while (i < end) {
    const b = buf[i]!;
    if (b < 0x20 || b >= 0x7f) break;
    i++;
  }
  return i === end || validateFrom(buf, i, end);
}

/** True if `s` would pass {@link isValidMqttUtf8} once encoded. */
export function isValidMqttString(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0x20 && cp < 0x7f) continue;
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = s.charCodeAt(i + 1);
      // A lone surrogate cannot be encoded in UTF-8 at all.
      if (!(low >= 0xdc00 && low <= 0xdfff)) return false;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      i++;
    }
    if (!acceptable(cp, 0)) return false;
  }
  return true;
}

/**
 * True if a PUBLISH payload is well-formed UTF-8 (RFC 3629), for a payload
 * whose Payload Format Indicator is 1. The broker decides what to do with a
 * bad one (reason Payload Format Invalid); the codec does not look.
 */
export function isValidUtf8Payload(buf: Buffer): boolean {
  return isUtf8(buf);
}

function validateFrom(buf: Uint8Array, i: number, end: number): boolean {
  while (i < end) {
    const b = buf[i]!;
    let len: number;
    let cp: number;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      len = 2;
      cp = b & 0x1f;
    } else if ((b & 0xf0) === 0xe0) {
      len = 3;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false; // continuation byte, 0xC0/0xC1 or above 0xF4
    }
    if (i + len > end) return false;
    for (let k = 1; k < len; k++) {
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (!acceptable(cp, len)) return false;
    i += len;
  }
  return true;
}

function acceptable(cp: number, len: number): boolean {
  if (len === 3 && cp < 0x800) return false; // overlong
  if (len === 4 && (cp < 0x10000 || cp > 0x10ffff)) return false;
  if (cp >= 0xd800 && cp <= 0xdfff) return false; // surrogate
  if (cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f)) return false; // control, NUL
  if (cp >= 0xfdd0 && cp <= 0xfdef) return false; // non-character
  return (cp & 0xfffe) !== 0xfffe; // U+xxFFFE, U+xxFFFF
}
