import fc from 'fast-check';
import { parseCookie } from 'cookie';
import { describe, expect, it } from 'vitest';
import { removeCookies } from '../../../src/session/index.js';

const ours = new Set(['__Host-gatehouse_session', 'gatehouse_login']);

describe('removeCookies', () => {
  it.each([
    ['only ours', '__Host-gatehouse_session=abc', undefined],
    ['ours first', '__Host-gatehouse_session=abc; a=1; b=2', 'a=1; b=2'],
    ['ours in the middle', 'a=1; __Host-gatehouse_session=abc; b=2', 'a=1; b=2'],
    ['ours last', 'a=1;b=2; gatehouse_login=x', 'a=1;b=2'],
    [
      'both, repeated',
      'gatehouse_login=1; a=1; __Host-gatehouse_session=2; gatehouse_login=3',
      'a=1',
    ],
    ['any letter case', '__host-GATEHOUSE_SESSION=abc; a=1', 'a=1'],
    ['spaces around the name', ' a=1 ;  gatehouse_login = x ; b=2', 'a=1 ; b=2'],
    [
      'others kept byte-for-byte',
      'q="a b";  p=%E0%A4; gatehouse_login=1; z=',
      'q="a b";  p=%E0%A4; z=',
    ],
    ['pairs without = kept', 'flag; gatehouse_login=1; x=1', 'flag; x=1'],
    ['nothing of ours', 'a=1;  b=2', 'a=1;  b=2'],
    ['empty header', '', undefined],
    ['only separators left', 'gatehouse_login=1; ;', undefined],
  ])('%s', (_name, header, expected) => {
    expect(removeCookies(header, ours)).toBe(expected);
  });

  it('passes an absent header through', () => {
    expect(removeCookies(undefined, ours)).toBeUndefined();
  });

  it('leaves nothing the gateway could read as its cookie and keeps every other cookie', () => {
    const name = fc.oneof(
      fc.constantFrom('__Host-gatehouse_session', 'gatehouse_login', 'GATEHOUSE_LOGIN', 'a', 'b'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    const pair = fc.tuple(
      name,
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('', ' ', '  '),
    );
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 8 }), (pairs) => {
        const header = pairs.map(([n, v, ws]) => `${ws}${n}=${v}`).join(';');
        const result = removeCookies(header, ours);
        const before = parseCookie(header, { decode: (s) => s });
        const after = parseCookie(result ?? '', { decode: (s) => s });
        for (const key of Object.keys(after)) {
          expect([...ours].some((o) => o.toLowerCase() === key.toLowerCase())).toBe(false);
          if (key !== '') expect(after[key]).toBe(before[key]);
        }
        for (const key of Object.keys(before)) {
          // An empty name is no cookie; the package parses `=` and ` =` differently.
          if (key !== '' && ![...ours].some((o) => o.toLowerCase() === key.toLowerCase())) {
            expect(after[key]).toBe(before[key]);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
