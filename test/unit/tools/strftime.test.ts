/**
 * The strftime conversions of the @ codes against glibc's output for the
 * same dates (C locale, UTC), including ISO week numbers around new year.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { strftime } from '../../../src/log/strftime.js';

process.env.TZ = 'UTC';

const pattern = '%G %V %U %W %j %u %w %a %e %k %l %I %p %C %y %g';

// Expected lines printed by glibc's strftime for 09:05:07 on each date.
const glibc: Array<[string, string]> = [
  ['2021-01-01', '2020 53 00 00 001 5 5 Fri  1  9  9 09 AM 20 21 20'],
  ['2024-12-30', '2025 01 52 53 365 1 1 Mon 30  9  9 09 AM 20 24 25'],
  ['2026-01-01', '2026 01 00 00 001 4 4 Thu  1  9  9 09 AM 20 26 26'],
  ['2027-01-01', '2026 53 00 00 001 5 5 Fri  1  9  9 09 AM 20 27 26'],
  ['2020-12-31', '2020 53 52 52 366 4 4 Thu 31  9  9 09 AM 20 20 20'],
  ['2023-01-01', '2022 52 01 00 001 7 0 Sun  1  9  9 09 AM 20 23 22'],
  ['2022-01-02', '2021 52 01 00 002 7 0 Sun  2  9  9 09 AM 20 22 21'],
];

test('week numbers, days and hours as glibc prints them', () => {
  for (const [day, expected] of glibc) {
    assert.equal(strftime(pattern, new Date(`${day}T09:05:07Z`)), expected, day);
  }
});

test('an unknown conversion is left as written', () => {
  assert.equal(strftime('%Q %E %1', new Date(0)), '%Q %E %1');
});
