import { describe, expect, it } from 'vitest';
import type { CanonicalRequest } from '../../../src/core/index.js';
import type { EvaluationContext } from '../../../src/policy/index.js';
import { MONDAY_10_UTC, ctx, identity, req, table } from './helpers.js';

interface Case {
  name: string;
  rule: Record<string, unknown>;
  id?: Parameters<typeof identity>[0];
  r?: Partial<CanonicalRequest>;
  c?: Partial<EvaluationContext>;
  allowed: boolean;
  reason?: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const cases: Case[] = [
  { name: 'user matches sub', rule: { user: 'u-1' }, allowed: true },
  {
    name: 'user does not match',
    rule: { user: ['u-2', 'u-3'] },
    allowed: false,
    reason: 'user-not-allowed',
  },
  { name: 'email is case-insensitive', rule: { email: 'ALICE@Example.com' }, allowed: true },
  {
    name: 'email other',
    rule: { email: 'bob@example.com' },
    allowed: false,
    reason: 'email-not-allowed',
  },
  {
    name: 'email unverified never matches',
    rule: { email: 'alice@example.com' },
    id: { emailVerified: false },
    allowed: false,
  },
  {
    name: 'email absent',
    rule: { email: 'alice@example.com' },
    id: { email: undefined },
    allowed: false,
  },
  { name: 'email_domain', rule: { email_domain: 'EXAMPLE.com' }, allowed: true },
  { name: 'email_domain with @', rule: { email_domain: '@example.com' }, allowed: true },
  {
    name: 'email_domain is exact',
    rule: { email_domain: 'ample.com' },
    allowed: false,
    reason: 'email-domain-not-allowed',
  },
  {
    name: 'email_domain not subdomain',
    rule: { email_domain: 'example.com' },
    id: { email: 'a@eu.example.com' },
    allowed: false,
  },
  {
    name: 'email_domain uses last @',
    rule: { email_domain: 'example.com' },
    id: { email: '"x@evil.test"@example.com' },
    allowed: true,
  },
  {
    name: 'group held',
    rule: { group: ['admins', 'ops'] },
    id: { groups: ['dev', 'ops'] },
    allowed: true,
  },
  {
    name: 'group missing',
    rule: { group: 'admins' },
    id: { groups: ['Admins'] },
    allowed: false,
    reason: 'group-missing',
  },
  {
    name: 'claim equals',
    rule: { claim: { path: 'hd', equals: 'example.com' } },
    id: { claims: { hd: 'example.com' } },
    allowed: true,
  },
  {
    name: 'claim equals is type-strict',
    rule: { claim: { path: 'admin', equals: true } },
    id: { claims: { admin: 'true' } },
    allowed: false,
    reason: 'claim-mismatch',
  },
  {
    name: 'claim one_of',
    rule: { claim: { path: 'tier', one_of: ['gold', 'platinum'] } },
    id: { claims: { tier: 'gold' } },
    allowed: true,
  },
  {
    name: 'claim one_of not arrays',
    rule: { claim: { path: 'tier', one_of: ['gold'] } },
    id: { claims: { tier: ['gold'] } },
    allowed: false,
  },
  {
    name: 'claim contains (Keycloak realm roles)',
    rule: { claim: { path: 'realm_access.roles', contains: 'admin' } },
    id: { claims: { realm_access: { roles: ['user', 'admin'] } } },
    allowed: true,
  },
  {
    name: 'claim contains (Keycloak client roles)',
    rule: { claim: { path: 'resource_access.my-app.roles', contains: 'editor' } },
    id: { claims: { resource_access: { 'my-app': { roles: ['editor'] } } } },
    allowed: true,
  },
  {
    name: 'claim key with dots in brackets',
    rule: { claim: { path: 'resource_access["my.app"].roles', contains: 'editor' } },
    id: { claims: { resource_access: { 'my.app': { roles: ['editor'] } } } },
    allowed: true,
  },
  {
    name: 'claim Azure roles',
    rule: { claim: { path: 'roles', contains: 'Task.Write' } },
    id: { claims: { roles: ['Task.Write'] } },
    allowed: true,
  },
  {
    name: 'claim namespaced URL (Auth0/Okta)',
    rule: { claim: { path: '["https://example.com/groups"]', contains: 'staff' } },
    id: { claims: { 'https://example.com/groups': ['staff'] } },
    allowed: true,
  },
  {
    name: 'claim contains substring of string',
    rule: { claim: { path: 'scope', contains: 'write' } },
    id: { claims: { scope: 'read write' } },
    allowed: true,
  },
  {
    name: 'claim absent',
    rule: { claim: { path: 'a.b', equals: 1 } },
    id: { claims: { a: {} } },
    allowed: false,
  },
  {
    name: 'claim prototype keys are not claims',
    rule: { claim: { path: 'constructor.name', equals: 'Object' } },
    allowed: false,
  },
  {
    name: 'claim array index',
    rule: { claim: { path: 'groups[1]', equals: 'b' } },
    id: { claims: { groups: ['a', 'b'] } },
    allowed: true,
  },
  { name: 'method', rule: { method: ['get', 'HEAD'] }, allowed: true },
  { name: 'method other', rule: { method: 'POST' }, allowed: false, reason: 'method-denied' },
  { name: 'path prefix', rule: { path: '/reports' }, r: { path: '/reports/2026' }, allowed: true },
  {
    name: 'path prefix segment-aware',
    rule: { path: '/reports' },
    r: { path: '/reportsx' },
    allowed: false,
    reason: 'path-denied',
  },
  { name: 'path glob', rule: { path: '/api/*/read' }, r: { path: '/api/v1/read' }, allowed: true },
  {
    name: 'path ignores parameters',
    rule: { path: '/reports' },
    r: { path: '/reports;x=1/a' },
    allowed: true,
  },
  {
    name: 'source_ip v4 in range',
    rule: { source_ip: ['10.0.0.0/8', '192.168.1.0/24'] },
    r: { clientIp: '10.1.2.3' },
    allowed: true,
  },
  {
    name: 'source_ip v4 out of range',
    rule: { source_ip: '10.0.0.0/8' },
    r: { clientIp: '11.1.2.3' },
    allowed: false,
    reason: 'source-ip-denied',
  },
  { name: 'source_ip single address', rule: { source_ip: '203.0.113.5' }, allowed: true },
  {
    name: 'source_ip v4-mapped v6 client',
    rule: { source_ip: '10.0.0.0/8' },
    r: { clientIp: '::ffff:10.9.9.9' },
    allowed: true,
  },
  {
    name: 'source_ip v6',
    rule: { source_ip: '2001:db8::/32' },
    r: { clientIp: '2001:db8:1::5' },
    allowed: true,
  },
  {
    name: 'source_ip v6 vs v4 range',
    rule: { source_ip: '10.0.0.0/8' },
    r: { clientIp: '2001:db8::1' },
    allowed: false,
  },
  { name: 'authenticated true', rule: { authenticated: true }, allowed: true },
  { name: 'authenticated false with identity', rule: { authenticated: false }, allowed: false },
  {
    name: 'scope present',
    rule: { scope: ['read', 'write'] },
    c: { scopes: ['write'] },
    allowed: true,
  },
  {
    name: 'scope missing',
    rule: { scope: 'admin' },
    c: { scopes: ['read'] },
    allowed: false,
    reason: 'scope-missing',
  },
  { name: 'scope without token', rule: { scope: 'read' }, allowed: false },
  {
    name: 'time inside window',
    rule: { time: { days: ['mon'], from: '09:00', to: '17:00' } },
    allowed: true,
  },
  {
    name: 'time outside hours',
    rule: { time: { days: ['mon'], from: '11:00', to: '17:00' } },
    allowed: false,
    reason: 'outside-time-window',
  },
  { name: 'time to is exclusive', rule: { time: { from: '08:00', to: '10:00' } }, allowed: false },
  { name: 'time from is inclusive', rule: { time: { from: '10:00', to: '11:00' } }, allowed: true },
  { name: 'time other day', rule: { time: { days: ['tue'] } }, allowed: false },
  {
    name: 'time zone shifts the day',
    rule: { time: { days: ['mon'], from: '19:00', to: '20:00', timezone: 'Asia/Tokyo' } },
    allowed: true,
  },
  {
    name: 'time zone New York',
    rule: { time: { from: '05:00', to: '06:00', timezone: 'America/New_York' } },
    allowed: true,
  },
  {
    name: 'overnight window late part',
    rule: { time: { days: ['mon'], from: '22:00', to: '06:00' } },
    c: { nowMs: MONDAY_10_UTC + 13 * HOUR },
    allowed: true,
  },
  {
    name: 'overnight window early part belongs to previous day',
    rule: { time: { days: ['mon'], from: '22:00', to: '06:00' } },
    c: { nowMs: MONDAY_10_UTC + DAY - 7 * HOUR },
    allowed: true,
  },
  {
    name: 'overnight window early part on start day',
    rule: { time: { days: ['mon'], from: '22:00', to: '06:00' } },
    c: { nowMs: MONDAY_10_UTC - 7 * HOUR },
    allowed: false,
  },
  {
    name: 'overnight window middle of day',
    rule: { time: { from: '22:00', to: '06:00' } },
    allowed: false,
  },
  { name: 'to 24:00', rule: { time: { from: '09:00', to: '24:00' } }, allowed: true },
  { name: 'any', rule: { any: [{ group: 'x' }, { email_domain: 'example.com' }] }, allowed: true },
  {
    name: 'any none',
    rule: { any: [{ group: 'x' }, { user: 'nobody' }] },
    allowed: false,
    reason: 'no-rule-allowed',
  },
  {
    name: 'all',
    rule: { all: [{ method: 'GET' }, { email_domain: 'example.com' }] },
    allowed: true,
  },
  { name: 'all one fails', rule: { all: [{ method: 'GET' }, { group: 'x' }] }, allowed: false },
  { name: 'not', rule: { not: { group: 'contractors' } }, allowed: true },
  {
    name: 'not holds',
    rule: { not: { group: 'contractors' } },
    id: { groups: ['contractors'] },
    allowed: false,
  },
  {
    name: 'criteria in one rule are AND',
    rule: { group: 'ops', method: 'GET' },
    id: { groups: ['ops'] },
    r: { method: 'POST' },
    allowed: false,
    reason: 'method-denied',
  },
];

describe('criteria (table)', () => {
  it.each(cases)('$name', (tc) => {
    const t = table([{ id: 'r', policy: { allow: [tc.rule] } }]);
    const r = req(tc.r);
    const d = t.match(r)?.evaluate(identity(tc.id), r, { ...ctx, ...tc.c });
    expect(d?.effect).toBe(tc.allowed ? 'allow' : 'deny');
    if (tc.reason !== undefined) expect(d?.reasons[0]).toBe(tc.reason);
    if (tc.allowed) expect(d?.rule).toBe('allow[0]');
  });
});
