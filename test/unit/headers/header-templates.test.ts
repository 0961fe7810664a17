import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileHeaderTemplates } from '../../../src/headers/index.js';
import { identity } from './identity-fixture.js';

describe('compileHeaderTemplates', () => {
  const templates = compileHeaderTemplates({
    'X-Remote-User': '{{ preferred_username }}',
    'X-Dept': '{{claims.department}}',
    'X-City': '{{ claims.address.locality }}',
    'X-Role': '{{ claims["https://example.com/role"] }}',
    'X-Source': 'gatehouse',
    'X-Who': 'user={{ user }}; groups={{ groups }}; mfa={{ auth_time }}',
    'X-Missing': '{{ claims.nope.deeper }}',
  });

  it('renders fields, nested and quoted claim paths, and literal text', () => {
    expect(templates.render(identity())).toEqual([
      ['x-remote-user', 'alice'],
      ['x-dept', 'R&D'],
      ['x-city', 'Berlin'],
      ['x-role', 'lead'],
      ['x-source', 'gatehouse'],
      ['x-who', 'user=alice; groups=staff,admins; mfa=1767225000'],
      ['x-missing', ''],
    ]);
    expect(templates.names).toContain('X-Dept');
  });

  it('renders a missing claim as an empty string, never the template text', () => {
    const out = Object.fromEntries(templates.render(identity({ claims: {}, preferredUsername: undefined } as never)));
    expect(out['x-dept']).toBe('');
    expect(out['x-remote-user']).toBe('');
    expect(Object.values(out).join('')).not.toContain('{{');
  });

  it('does not follow inherited properties (prototype) in claim paths', () => {
    const t = compileHeaderTemplates({ 'X-A': '{{ claims.constructor }}', 'X-B': '{{ claims.__proto__ }}' });
    expect(t.render(identity())).toEqual([
      ['x-a', ''],
      ['x-b', ''],
    ]);
  });

  it('sanitises hostile claim values: CR/LF renders empty, list members with commas dropped, objects empty', () => {
    const t = compileHeaderTemplates({ 'X-Dept': 'd={{ claims.department }}', 'X-Teams': '{{ claims.teams }}', 'X-Obj': '{{ claims.address }}' });
    const hostile = identity({
      claims: { department: 'R&D\r\nX-Forwarded-User: root', teams: ['a', 'b,admins', 'c\n', 7, 'd'], address: { x: 1 } },
    });
    expect(t.render(hostile)).toEqual([
      ['x-dept', 'd='],
      ['x-teams', 'a,d'],
      ['x-obj', ''],
    ]);
  });

  it('property: rendered values never carry CR or LF, whatever the claim', () => {
    const t = compileHeaderTemplates({ 'X-C': 'v={{ claims.c }}' });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.array(fc.string({ unit: 'binary' }))), (c) => {
        const [[, value]] = t.render(identity({ claims: { c } })) as [[string, string]];
        expect(value).not.toMatch(/[\r\n\0]/);
      }),
    );
  });

  it('encodes non-ASCII values once as UTF-8 octets', () => {
    const t = compileHeaderTemplates({ 'X-Name': '{{ name }} / {{ groups }}' });
    const [[, v]] = t.render(identity({ name: 'Zoë', groups: ['équipe'] })) as [[string, string]];
    expect(Buffer.from(v, 'latin1').toString('utf8')).toBe('Zoë / équipe');
  });

  it('apply replaces forged template headers in any spelling', () => {
    const headers = templates.apply({ x_dept: 'forged', 'X-DEPT': 'forged', accept: '*/*' }, identity());
    expect(headers['x-dept']).toBe('R&D');
    expect(Object.keys(headers).filter((k) => k.toLowerCase().replace('_', '-') === 'x-dept')).toEqual(['x-dept']);
    expect(headers.accept).toBe('*/*');
  });

  it.each([
    ['unknown field', { 'X-A': '{{ password }}' }, /X-A.*unknown expression/],
    ['filters are not supported', { 'X-A': '{{ email | upper }}' }, /X-A.*unknown expression/],
    ['unclosed', { 'X-B': 'hello {{ email' }, /X-B.*unclosed/],
    ['stray close', { 'X-C': 'hello }} there' }, /X-C.*unbalanced/],
    ['empty expression', { 'X-D': '{{ }}' }, /X-D.*invalid expression/],
    ['nested braces', { 'X-E': '{{ {{ email }} }}' }, /X-E/],
    ['bad quoted claim', { 'X-F': '{{ claims["a\\q"] }}' }, /X-F.*quoted claim/],
    ['control char in literal', { 'X-G': 'a\r\nX-Evil: 1' }, /X-G.*control/],
    ['invalid header name', { 'X H': 'x' }, /X H.*not a valid header name/],
    ['framing header', { 'Content-Length': '0' }, /Content-Length.*cannot be set/],
    ['duplicate after normalisation', { 'X-Dept': 'a', x_dept: 'b' }, /x_dept.*duplicate/],
  ])('rejects %s with ERR_CONFIG_INVALID naming the header', (_what, map, message) => {
    expect(() => compileHeaderTemplates(map)).toThrow(expect.objectContaining({ code: 'ERR_CONFIG_INVALID', message: expect.stringMatching(message) }));
  });
});
