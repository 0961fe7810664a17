import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  configError,
  deepFreeze,
  ENV_OVERRIDES,
  formatKeyPath,
  formatProblem,
  parseCidr,
  readCliEnv,
  type ConfigProblem,
} from '../../../src/config/index.js';
import { suggestKey } from '../../../src/config/schema-keys.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { network: '10.0.0.0/8', hostBitsSet: false }],
    ['192.0.2.7', { network: '192.0.2.7/32', hostBitsSet: false }],
    ['10.1.2.3/8', { network: '10.0.0.0/8', hostBitsSet: true }],
    ['0.0.0.0/0', { network: '0.0.0.0/0', hostBitsSet: false }],
    ['fd00::/8', { network: 'fd00::/8', hostBitsSet: false }],
    ['::1', { network: '::1/128', hostBitsSet: false }],
    ['2001:db8::1/32', { network: '2001:db8::/32', hostBitsSet: true }],
  ])('accepts %s', (text, expected) => {
    expect(parseCidr(text)).toEqual(expected);
  });

  it.each([
    '10.0.0.0/33',
    '300.1.1.1',
    '10.1',
    '0x0a.0.0.1',
    '10.0.0.0/8/8',
    '10.0.0.0/',
    '10.0.0.0/-1',
    '::1/129',
    'fe80::1%eth0',
    'localhost',
    '',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('accepts every valid IPv4 block and normalises it to its network', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const parsed = parseCidr(`${ip}/${prefix}`);
        expect(parsed).toBeDefined();
        expect(parseCidr(parsed!.network)?.hostBitsSet).toBe(false);
      }),
    );
  });
});

describe('readCliEnv and ENV_OVERRIDES', () => {
  it('reads GATEHOUSE_CONFIG and treats empty as unset', () => {
    expect(readCliEnv({ GATEHOUSE_CONFIG: '/etc/gatehouse/gatehouse.yaml' })).toEqual({
      configFile: '/etc/gatehouse/gatehouse.yaml',
    });
    expect(readCliEnv({ GATEHOUSE_CONFIG: '' })).toEqual({});
    expect(readCliEnv({})).toEqual({});
  });

  it('lists exactly the documented overrides', () => {
    expect(ENV_OVERRIDES.map((o) => `${o.name}=${o.path.join('.')}`)).toEqual([
      'GATEHOUSE_SESSION_STORE=session.store',
      'GATEHOUSE_REDIS_URL=session.redis.url',
      'GATEHOUSE_LISTEN_PORT=listen.port',
      'GATEHOUSE_PUBLIC_URL=public_url',
      'GATEHOUSE_LOG_LEVEL=logging.level',
    ]);
  });
});

describe('formatKeyPath', () => {
  it.each([
    [[], ''],
    [['session', 'idle_timeout'], 'session.idle_timeout'],
    [['routes', 2, 'upstream'], 'routes[2].upstream'],
    [['policies', 'ops.team', 'allow', 0], 'policies["ops.team"].allow[0]'],
    [[0], '[0]'],
  ])('%j → %s', (segments, expected) => {
    expect(formatKeyPath(segments)).toBe(expected);
  });
});

describe('suggestKey', () => {
  const keys = ['upstream', 'policy', 'idp', 'timeout', 'port', 'host'];
  it.each([
    ['upstrem', 'upstream'],
    ['prot', 'port'],
    ['polcy', 'policy'],
    ['Timeout', 'timeout'],
    ['frobnicate', undefined],
    ['idp', undefined],
  ])('%s → %s', (key, expected) => {
    expect(suggestKey(key, keys)).toBe(expected);
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays and tolerates shared references', () => {
    const shared = { a: [1, { b: 2 }] };
    const value = deepFreeze({ x: shared, y: shared });
    expect(Object.isFrozen(value.x.a)).toBe(true);
    expect(Object.isFrozen(value.y.a[1])).toBe(true);
  });
});

describe('configError', () => {
  const problem = (over: Partial<ConfigProblem>): ConfigProblem => ({
    file: '/etc/gatehouse.yaml',
    line: 3,
    column: 5,
    path: 'session.store',
    message: 'must be one of memory, redis, got "x"',
    severity: 'error',
    ...over,
  });

  it('maps a missing main file to ERR_CONFIG_NOT_FOUND', () => {
    const err = configError([
      problem({
        line: 0,
        column: 0,
        path: '',
        message: 'config file not found',
        code: 'ERR_CONFIG_NOT_FOUND',
      }),
    ]);
    expect(err.code).toBe('ERR_CONFIG_NOT_FOUND');
    expect(err.expose).toBe(false);
  });

  it('maps other problems to ERR_CONFIG_INVALID with one line per problem', () => {
    const problems = [problem({}), problem({ line: 9, severity: 'warning', message: 'no routes' })];
    const err = configError(problems);
    expect(err.code).toBe('ERR_CONFIG_INVALID');
    expect(err.message.split('\n')).toEqual([
      'invalid configuration (1 problem)',
      ...problems.map(formatProblem),
    ]);
    expect(err.details).toEqual({ problems: problems.map(formatProblem) });
  });
});
