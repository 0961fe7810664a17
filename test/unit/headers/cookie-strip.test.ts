import { parseCookie } from 'cookie';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripGatewayCookies } from '../../../src/headers/index.js';

const OURS = new Set(['gatehouse_session', 'gatehouse_state']);

describe('stripGatewayCookies', () => {
  it.each([
    ['no gateway cookie: returned unchanged, spacing included', 'a=1;b=2;  c=3', 'a=1;b=2;  c=3'],
    ['middle', 'a=1; gatehouse_session=xyz; b=2', 'a=1; b=2'],
    ['first', 'gatehouse_session=xyz; a=1', 'a=1'],
    ['last, no spaces', 'a=1;gatehouse_session=xyz', 'a=1'],
    ['every duplicate (the parser keeps only the first)', 'gatehouse_session=1; a=1; gatehouse_session=2', 'a=1'],
    ['white space around the name', 'a=1;  gatehouse_session \t=x ;b=2', 'a=1; b=2'],
    ['upper-case look-alike', 'GateHouse_Session=x; a=1', 'a=1'],
    ['quoted values and = inside values kept verbatim', 'q="x=y"; gatehouse_state=s; t=a=b=c', 'q="x=y"; t=a=b=c'],
    ['percent-encoded values kept encoded', 'p=%E2%9C%93; gatehouse_state=s', 'p=%E2%9C%93'],
    ['pieces without = are kept', 'flag; gatehouse_session=x; a=1', 'flag; a=1'],
    ['a cookie merely prefixed like ours is kept', 'gatehouse_session2=x; xgatehouse_session=y; gatehouse_session=z', 'gatehouse_session2=x; xgatehouse_session=y'],
    ['only ours → nothing left', 'gatehouse_session=x; gatehouse_state=y', undefined],
    ['empty pieces dropped', 'gatehouse_session=x;; ;a=1', 'a=1'],
  ])('%s', (_what, header, expected) => {
    expect(stripGatewayCookies(header, OURS)).toBe(expected);
  });

  const name = fc.stringMatching(/^[A-Za-z0-9_!#$%&'*+.^`|~-]{1,12}$/).filter((n) => !OURS.has(n.toLowerCase()));
  const value = fc.stringMatching(/^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]{0,16}$/);
  const ows = fc.constantFrom('', ' ', '  ', '\t');

  it('property: removes every gateway cookie and keeps every other pair byte for byte, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), name, value, ows, fc.constantFrom(...OURS)), { minLength: 1, maxLength: 8 }),
        (items) => {
          const pieces = items.map(([ours, n, v, space, gw]) => `${space}${ours ? gw : n}=${v}`);
          const header = pieces.join(';');
          const kept = items.filter(([ours]) => !ours).map(([, n, v]) => `${n}=${v}`);
          const out = stripGatewayCookies(header, OURS);
          if (items.every(([ours]) => ours)) {
            expect(out).toBeUndefined();
            return;
          }
          if (items.every(([ours]) => !ours)) {
            expect(out).toBe(header);
            return;
          }
          expect(out).toBe(kept.join('; '));
          const names = Object.keys(parseCookie(out!));
          for (const gw of OURS) expect(names).not.toContain(gw);
        },
      ),
    );
  });
});
