import { z } from 'zod';

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const PATTERN = /^(\d+)(s|m|h|d)$/;

/**
 * Parses a configuration duration into seconds.
 * Accepts a non-negative integer number of seconds, or a string `"<n>s"`, `"<n>m"`,
 * `"<n>h"`, `"<n>d"` (e.g. `"30m"`, `"12h"`), or a string of digits (seconds).
 * @returns seconds (integer), or `undefined` when the input is not a duration.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const unit = UNITS[m[2] ?? ''];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/** What a duration may be written as (before parsing): a number or a string. */
export const durationInput = z.union([z.number(), z.string()]);

/** JSON Schema of {@link durationInput}, as precise as {@link parseDurationSeconds}. */
export const DURATION_JSON_SCHEMA = Object.freeze({
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^\\s*\\d+[smhd]?\\s*$' },
  ],
});

/** Zod type for a duration; the parsed value is in seconds. */
export const durationSeconds = durationInput.transform((value, ctx) => {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `invalid duration ${JSON.stringify(value)}: use seconds or a string like "30s", "15m", "12h", "7d"`,
    });
    return z.NEVER;
  }
  return seconds;
});
