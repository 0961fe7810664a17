import type { TimeCriterion } from '../../config/index.js';
import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const SHORT: Readonly<Record<string, number>> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** Local weekday (0 = Sunday) and minute of day of an instant in a compiled time zone. */
export type LocalClock = (nowMs: number) => { day: number; minute: number };

/**
 * Builds a local clock for an IANA time zone with `Intl.DateTimeFormat`.
 * @returns the clock, or undefined when the zone is unknown.
 */
export function localClock(timeZone: string): LocalClock | undefined {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    return undefined;
  }
  return (nowMs) => {
    let day = 0;
    let hour = 0;
    let minute = 0;
    for (const part of fmt.formatToParts(nowMs)) {
      if (part.type === 'weekday') day = SHORT[part.value] ?? 0;
      else if (part.type === 'hour') hour = Number(part.value) % 24;
      else if (part.type === 'minute') minute = Number(part.value);
    }
    return { day, minute: hour * 60 + minute };
  };
}

/**
 * `time`: the current time (`ctx.nowMs`) is inside a weekly window in an IANA time zone
 * (default `UTC`): on one of `days` (default every day), from `from` (inclusive, default
 * 00:00) to `to` (exclusive, default 24:00). A window whose `to` is before `from` runs over
 * midnight (`22:00`–`06:00`); its early-morning part belongs to the day it started on, so
 * `days: [fri]` with 22:00–06:00 includes Saturday 03:00 and not Friday 03:00.
 */
export function compileTime(t: TimeCriterion, scope: CompileScope, key: string): Criterion {
  const clock = localClock(t.timezone);
  if (clock === undefined)
    scope.problem(
      `${key}.timezone`,
      `unknown time zone ${JSON.stringify(t.timezone)}: use an IANA name like Europe/Paris`,
    );
  const from = minutes(t.from ?? '00:00');
  const to = minutes(t.to ?? '24:00');
  if (t.to !== undefined && to > 24 * 60) scope.problem(`${key}.to`, 'time of day after 24:00');
  if (from === to) scope.problem(key, 'empty time window: "from" equals "to"');
  const days = new Set<number>((t.days ?? DAYS).map((d) => DAYS.indexOf(d)));
  const overnight = to < from;
  const inside = (nowMs: number): boolean => {
    if (clock === undefined) throw new Error('time zone unavailable');
    const { day, minute } = clock(nowMs);
    if (!overnight) return days.has(day) && minute >= from && minute < to;
    if (minute >= from) return days.has(day);
    return minute < to && days.has((day + 6) % 7);
  };
  const window = `${t.days === undefined ? 'every day' : list(t.days)} ${t.from ?? '00:00'}-${t.to ?? '24:00'} ${t.timezone}`;
  return Object.freeze({
    kind: 'time' as const,
    needsIdentity: false,
    failReason: 'outside-time-window' as const,
    denyReason: undefined,
    test: (input) => inside(input.ctx.nowMs),
    describe: (input, held) => {
      const now = clock?.(input.ctx.nowMs);
      const at =
        now === undefined
          ? 'unknown'
          : `${DAYS[now.day] ?? '?'} ${String(Math.floor(now.minute / 60)).padStart(2, '0')}:${String(now.minute % 60).padStart(2, '0')}`;
      return `time within ${window}: ${yesNo(held)} (now ${at})`;
    },
  } satisfies Criterion);
}
