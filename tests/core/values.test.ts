import { describe, expect, it } from 'vitest';
import {
  complexityOfEstimate,
  formatEstimate,
  parseEstimate,
  parseIdList,
  parsePriority,
  parseProgress,
  parseSeconds,
  parseStatus,
  parseTaskId,
} from '../../src/core/values.js';
import { thrown } from '../helpers/task.js';

/** Every refusal is an invalid_argument (exit 2) whose message and details name the field. */
function expectRefused(fn: () => unknown, field: string): ReturnType<typeof thrown> {
  const err = thrown(fn);
  expect(err.code).toBe('invalid_argument');
  expect(err.exitCode).toBe(2);
  expect(err.message.startsWith(`${field}:`)).toBe(true);
  expect(err.details).toMatchObject({ field });
  return err;
}

describe('parsePriority and parseStatus', () => {
  it('accepts every priority in any case', () => {
    expect(parsePriority('critical')).toBe('critical');
    expect(parsePriority(' HIGH ')).toBe('high');
    expect(parsePriority('Maintenance')).toBe('maintenance');
  });

  it.each(['urgent', '', 'p1', 'normal!'])('refuses the unknown priority "%s", listing the valid ones', (raw) => {
    expectRefused(() => parsePriority(raw), 'priority');
    expect(thrown(() => parsePriority(raw)).message).toContain('critical, high, normal, low, maintenance');
  });

  it('parses statuses and refuses unknown ones', () => {
    expect(parseStatus('Executing')).toBe('executing');
    expectRefused(() => parseStatus('running'), 'status');
  });
});

describe('parseEstimate', () => {
  it.each([
    ['30m', 30],
    ['6h', 360],
    ['3d', 3 * 8 * 60],
    ['1w', 40 * 60],
    ['90m', 90],
    ['4h30m', 270],
    ['1d4h', 12 * 60],
    ['1h 15m', 75],
    ['1.5h', 90],
    [45, 45],
  ])('reads %s as %i minutes', (raw, minutes) => {
    expect(parseEstimate(raw)).toBe(minutes);
  });

  it.each(['-5', '-30m', 'soon', '3 days', '', '0m', '0h', 'h', '4h30', 'm30'])('refuses "%s"', (raw) => {
    expectRefused(() => parseEstimate(raw), 'estimate');
  });

  it('refuses a bare number, with a hint to add a unit', () => {
    const err = expectRefused(() => parseEstimate('90'), 'estimate');
    expect(err.message).toContain('90m');
    expect(err.message).toContain('90h');
  });

  it('prints every estimate in a form it reads back', () => {
    for (const [minutes, text] of [
      [45, '45m'],
      [90, '1h30m'],
      [270, '4h30m'],
      [360, '6h'],
      [1440, '24h'],
      [2000, '33h20m'],
    ] as const) {
      expect(formatEstimate(minutes)).toBe(text);
      expect(parseEstimate(text)).toBe(minutes);
    }
  });

  it('maps estimates to complexity at the SPEC thresholds', () => {
    expect(complexityOfEstimate(null)).toBe('simple');
    expect(complexityOfEstimate(240)).toBe('simple');
    expect(complexityOfEstimate(241)).toBe('medium');
    expect(complexityOfEstimate(720)).toBe('medium');
    expect(complexityOfEstimate(721)).toBe('complex');
    expect(complexityOfEstimate(1440)).toBe('complex');
    expect(complexityOfEstimate(1441)).toBe('epic');
    expect(complexityOfEstimate(parseEstimate('3d'))).toBe('complex');
    expect(complexityOfEstimate(parseEstimate('4d'))).toBe('epic');
  });
});

describe('parseProgress', () => {
  it('accepts 0 to 100, with or without a percent sign', () => {
    expect(parseProgress('0')).toBe(0);
    expect(parseProgress('100')).toBe(100);
    expect(parseProgress('42%')).toBe(42);
    expect(parseProgress(12.345)).toBe(12.35);
  });

  it.each(['101', '-1', 101, -1, '', 'half', 'NaN', Number.POSITIVE_INFINITY])('refuses %s', (raw) => {
    expectRefused(() => parseProgress(raw), 'progress');
  });
});

describe('task ids', () => {
  it('reads positive integers, with an optional #', () => {
    expect(parseTaskId('42')).toBe(42);
    expect(parseTaskId(' #7 ')).toBe(7);
    expect(parseTaskId(3)).toBe(3);
  });

  it.each(['0', '-1', '1.5', 'abc', '', '1e3', '99999999999999999999', 0, -4])('refuses "%s"', (raw) => {
    expectRefused(() => parseTaskId(raw), 'id');
  });

  it('reads lists of ids without duplicates and refuses a bad member, naming the field', () => {
    expect(parseIdList('3, 1,3,,2')).toEqual([3, 1, 2]);
    expectRefused(() => parseIdList('1,x'), 'dependsOn');
    expectRefused(() => parseIdList(' , '), 'dependsOn');
  });
});

describe('parseSeconds', () => {
  it('reads seconds with an optional unit', () => {
    expect(parseSeconds('300', 'lease')).toBe(300);
    expect(parseSeconds('90s', 'lease')).toBe(90);
    expect(parseSeconds('5m', 'lease')).toBe(300);
    expect(parseSeconds('1h', 'lease')).toBe(3600);
    expect(parseSeconds('200ms', 'lease')).toBe(0.2);
    expect(parseSeconds('1d', 'lease')).toBe(86_400);
  });

  it.each(['0', '-1', 'forever', '8d'])('refuses "%s"', (raw) => {
    expectRefused(() => parseSeconds(raw, 'lease'), 'lease');
  });
});
