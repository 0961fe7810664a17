import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { headerList, headerValue, isSafeHeaderValue } from '../../../src/headers/index.js';

describe('headerValue', () => {
  it.each([
    ['plain ASCII', 'alice@example.com', 'alice@example.com'],
    ['CR/LF header injection', 'alice\r\nX-Forwarded-User: admin', undefined],
    ['bare LF', 'alice\nx', undefined],
    ['bare CR', 'alice\rx', undefined],
    ['NUL', 'alice\u0000', undefined],
    ['TAB', 'al\tice', undefined],
    ['DEL', 'alice\u007f', undefined],
    ['C1 NEL', 'alice\u0085', undefined],
    ['Unicode line separator', 'alice\u2028x', undefined],
    ['lone surrogate', 'alice\ud800', undefined],
    ['leading space (would be trimmed into another name)', ' admin', undefined],
    ['trailing space', 'admin ', undefined],
    ['empty', '', ''],
  ])('%s', (_what, input, expected) => {
    expect(headerValue(input)).toBe(expected);
  });

  it('sends non-ASCII as its UTF-8 octets (Latin-1 string Node writes byte for byte)', () => {
    const v = headerValue('José 😀');
    expect(v).toBeDefined();
    expect(Buffer.from(v!, 'latin1').toString('utf8')).toBe('José 😀');
    expect(() => {
      validateHeaderValue('x-test', v!);
    }).not.toThrow();
  });

  it('property: any output is accepted by Node and carries no CR, LF or NUL byte', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const v = headerValue(s);
        if (v === undefined) return;
        expect(() => {
          validateHeaderValue('x-test', v);
        }).not.toThrow();
        expect(/[\r\n\0]/.test(v)).toBe(false);
        // Decoding the octets gives back exactly the input: nothing was silently altered.
        expect(Buffer.from(v, 'latin1').toString('utf8')).toBe(s);
      }),
    );
  });

  it('isSafeHeaderValue accepts emoji and accented names', () => {
    expect(isSafeHeaderValue('Zoë 👩‍💻')).toBe(true);
  });
});

describe('headerList', () => {
  it('drops members with commas, unsafe characters, edges spaces or empty', () => {
    expect(headerList(['staff', 'staff,admin', 'ops\r\nX-Evil: 1', ' admin', '', 'dev'])).toBe('staff,dev');
  });
  it('keeps non-ASCII members as text (encoded once, by headerValue)', () => {
    expect(headerList(['équipe', 'ops'])).toBe('équipe,ops');
  });
});
