import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { isBrowserNavigation } from '../../../src/http/negotiation.js';

const req = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('isBrowserNavigation', () => {
  it.each([
    [{ accept: 'text/html,application/xhtml+xml' }, true],
    [{ accept: 'text/html', 'sec-fetch-mode': 'navigate' }, true],
    [{ accept: 'application/json' }, false],
    [{}, false],
    [{ accept: '*/*' }, false],
    [{ accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' }, false],
    [{ accept: 'text/html', 'sec-fetch-mode': 'cors' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(isBrowserNavigation(req(headers))).toBe(expected);
  });
});
