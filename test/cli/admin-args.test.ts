// The admin commands' argument rules, table-driven, with properties for the open-ended ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  MAX_LIMIT,
  parseDecision,
  parseIntentId,
  parseJob,
  parseLimit,
  parseReason,
  parseState,
  parseTenant,
  parseTime,
  printable,
} from '../../src/cli/admin-args.js';

const NOW = new Date('2025-06-15T12:00:00.000Z');

describe('parseTime', () => {
  it.each([
    ['24h', '2025-06-14T12:00:00.000Z'],
    ['7d', '2025-06-08T12:00:00.000Z'],
    ['90m', '2025-06-15T10:30:00.000Z'],
    ['30s', '2025-06-15T11:59:30.000Z'],
    ['2w', '2025-06-01T12:00:00.000Z'],
    ['0h', '2025-06-15T12:00:00.000Z'],
    ['2025-01-15', '2025-01-15T00:00:00.000Z'],
    ['2025-01-15T08:00Z', '2025-01-15T08:00:00.000Z'],
    ['2025-01-15T08:00:00Z', '2025-01-15T08:00:00.000Z'],
    ['2025-01-15T08:00:00.5Z', '2025-01-15T08:00:00.500Z'],
    ['2025-01-15T10:00:00+02:00', '2025-01-15T08:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseTime(text, NOW)).toEqual({ ok: true, value: iso });
  });

  it.each([
    '',
    'yesterday',
    '24',
    'h',
    '-1d',
    '1y',
    '1.5h',
    '1234567d',
    '2025-01-15T08:00:00', // no zone: would be read in the local zone
    '2025-13-01',
    '2025-02-30',
    '2023-02-29',
    '2025-1-5',
    '15/01/2025',
    '2025-01-15 08:00:00Z',
    '2025-01-15T08:00:00Z\n',
    '\u001b[31m1d',
  ])('refuses %j', (text) => {
    const parsed = parseTime(text, NOW);
    expect(parsed.ok).toBe(false);
    // eslint-disable-next-line no-control-regex
    if (!parsed.ok) expect(parsed.message).not.toMatch(/[\u0000-\u001f]/);
  });
});

describe('parseLimit', () => {
  it.each([
    ['1', 1],
    ['100', 100],
    [String(MAX_LIMIT), MAX_LIMIT],
  ])('%s', (text, n) => expect(parseLimit(text)).toEqual({ ok: true, value: n }));
  it.each(['0', '-1', '10001', '1.5', '1e3', 'ten', '', ' 5', '0x10'])('refuses %j', (text) =>
    expect(parseLimit(text).ok).toBe(false),
  );
});

describe('parseDecision, parseState, parseTenant', () => {
  it.each([
    ['allow', 'allowed'],
    ['allowed', 'allowed'],
    ['deny', 'refused'],
    ['refused', 'refused'],
    ['failed', 'failed'],
  ])('decision %s is %s', (text, value) => expect(parseDecision(text)).toEqual({ ok: true, value }));
  it.each(['', 'ALLOW', 'denied', 'constructor', '__proto__', 'toString'])('refuses decision %j', (text) =>
    expect(parseDecision(text).ok).toBe(false),
  );
  it.each(['in-doubt', 'quarantined'])('state %s', (text) =>
    expect(parseState(text)).toEqual({ ok: true, value: text }),
  );
  it.each(['pending', 'created', 'recovered', 'released', 'QUARANTINED', ''])('refuses state %j', (text) =>
    expect(parseState(text).ok).toBe(false),
  );
  it.each(['hr-team', 'a', `a${'b'.repeat(62)}`])('tenant %s', (text) => expect(parseTenant(text).ok).toBe(true));
  it.each(['', '*', 'HR', '1team', '-x', `a${'b'.repeat(63)}`, "hr'--", 'hr team'])('refuses tenant %j', (text) =>
    expect(parseTenant(text).ok).toBe(false),
  );
});

describe('parseJob', () => {
  it.each([
    ['HR,EXPORT_HR_1', { ownerName: 'HR', jobName: 'EXPORT_HR_1' }],
    [
      'PDBADMIN,DATAPUMP_REST_EXPORT_20250115080000',
      { ownerName: 'PDBADMIN', jobName: 'DATAPUMP_REST_EXPORT_20250115080000' },
    ],
    ['SYSTEM,SYS EXPORT SCHEMA 01', { ownerName: 'SYSTEM', jobName: 'SYS EXPORT SCHEMA 01' }],
    [`${'O'.repeat(128)},${'J'.repeat(128)}`, { ownerName: 'O'.repeat(128), jobName: 'J'.repeat(128) }],
  ])('%s', (text, value) => expect(parseJob(text)).toEqual({ ok: true, value }));

  it.each([
    '',
    'HR',
    'HR,',
    ',JOB',
    'HR,JOB,EXTRA',
    'HR/X,JOB',
    'HR,"JOB"',
    ' HR,JOB',
    'HR,JOB ',
    'HR,JO\nB',
    'HR,JO\u0085B',
    `${'O'.repeat(129)},JOB`,
    `HR,${'J'.repeat(129)}`,
  ])('refuses %j', (text) => expect(parseJob(text).ok).toBe(false));

  it('property: whatever it accepts round-trips as OWNER,NAME and holds no control character, comma or slash', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const parsed = parseJob(text);
        if (!parsed.ok) return;
        expect(`${parsed.value.ownerName},${parsed.value.jobName}`).toBe(text);
        for (const name of [parsed.value.ownerName, parsed.value.jobName]) {
          // eslint-disable-next-line no-control-regex
          expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f,/"]/);
          expect(name.trim()).toBe(name);
        }
      }),
    );
  });
});

describe('parseIntentId, parseReason, printable', () => {
  it.each(['3f2c0d4e-1b2a-4c5d-8e9f-0a1b2c3d4e5f', 'intent-1', 'x'])('intent id %s', (text) =>
    expect(parseIntentId(text).ok).toBe(true),
  );
  it.each(['', 'a b', 'a\nb', 'x'.repeat(201), 'ü'])('refuses intent id %j', (text) =>
    expect(parseIntentId(text).ok).toBe(false),
  );
  it.each(['job HR,X was started by hand (ticket OPS-42)', 'ü ✓'])('reason %j', (text) =>
    expect(parseReason(text).ok).toBe(true),
  );
  it.each(['', '   ', 'two\nlines', '\u001b[2J', 'x'.repeat(1001)])('refuses reason %j', (text) =>
    expect(parseReason(text).ok).toBe(false),
  );

  it('property: printable leaves no control character and changes nothing printable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        // eslint-disable-next-line no-control-regex
        expect(printable(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
        // eslint-disable-next-line no-control-regex
        if (!/[\u0000-\u001f\u007f-\u009f]/.test(text)) expect(printable(text)).toBe(text);
      }),
    );
  });
});
