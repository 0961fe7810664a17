import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatProblem,
  loadConfig,
  type ConfigProblem,
  type LoadResult,
} from '../../../src/config/index.js';
import { BASE_CONFIG, BASE_ROUTES, makeConfigTree, type ConfigTree } from './config-tree.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/config');
const VALID = path.join(FIXTURES, 'valid/config/gatehouse.yaml');
const BROKEN = path.join(FIXTURES, 'broken/config/gatehouse.yaml');
const VALID_ENV = { GH_TEST_CLIENT_SECRET: 'corp-Secret-Value' };

function problemsOf(result: LoadResult): readonly ConfigProblem[] {
  if (result.ok) throw new Error('expected the load to fail');
  return result.problems;
}

function configOf(result: LoadResult) {
  if (!result.ok)
    throw new Error(`expected a valid config:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.config;
}

const trees: ConfigTree[] = [];
async function tree(config?: string, policies?: Record<string, string>): Promise<ConfigTree> {
  const t = await makeConfigTree(config, policies);
  trees.push(t);
  return t;
}
afterEach(async () => {
  await Promise.all(trees.splice(0).map((t) => t.remove()));
});

describe('loadConfig: valid configuration', () => {
  it('loads the valid fixture with defaults, durations in seconds and resolved secrets', async () => {
    const config = configOf(await loadConfig(VALID, { env: VALID_ENV }));
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(config.session.idle_timeout).toBe(15 * 60);
    expect(config.session.absolute_lifetime).toBe(7 * 86400);
    expect(config.session.cache).toEqual({ max_entries: 10_000, max_age: 10 });
    expect(config.session.store).toBe('memory');
    expect(config.upstream).toEqual({ timeout: 45, connect_timeout: 5, max_sockets: 256 });
    expect(config.logging.level).toBe('info');
    expect(config.identity_providers.map((p) => p.client_secret)).toEqual([
      'corp-Secret-Value',
      's0cial-Secret-Value',
    ]);
    expect(config.identity_providers[0]?.scopes).toEqual(['openid', 'email', 'profile']);
    expect(config.configFile).toBe(VALID);
    expect(config.policiesDir).toBe(path.join(FIXTURES, 'valid/policies'));
    expect(config.policyFiles.map((f) => path.basename(f))).toEqual([
      '10-apps.yaml',
      '20-admin.yml',
    ]);
    expect(config).not.toHaveProperty('policies_dir');
  });

  it('merges routes in file order with their source position, and policies and roles from all files', async () => {
    const config = configOf(await loadConfig(VALID, { env: VALID_ENV }));
    expect(config.routes.map((r) => r.id)).toEqual(['wiki', 'shop', 'admin']);
    expect(config.routes[1]).toMatchObject({
      timeout: 120,
      idp: 'social',
      source: { file: path.join(FIXTURES, 'valid/policies/10-apps.yaml'), line: 7, column: 5 },
    });
    expect(config.routes[2]?.source).toMatchObject({ line: 10, column: 5 });
    expect(Object.keys(config.policies)).toEqual(['employees']);
    expect(config.roles.admin).toEqual([{ group: ['ops', 'sre'] }]);
  });

  it('deep-freezes the result', async () => {
    const config = configOf(await loadConfig(VALID, { env: VALID_ENV }));
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.session.redis)).toBe(true);
    expect(Object.isFrozen(config.routes[0]?.match.host)).toBe(true);
    expect(() => {
      (config.listen as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('keeps "$${" as a literal "${" and turns an unquoted whole reference into a number', async () => {
    const t = await tree(
      `${BASE_CONFIG}listen:\n  port: \${PORT}\nsession:\n  redis:\n    key_prefix: "gh$\${x}:"\n`,
    );
    const config = configOf(await loadConfig(t.configFile, { env: { PORT: '9443' } }));
    expect(config.listen.port).toBe(9443);
    expect(config.session.redis.key_prefix).toBe('gh${x}:');
  });

  it('reads ${file:} relative to the file and strips one trailing newline', async () => {
    const t = await tree(
      BASE_CONFIG.replace(
        'client_id: gatehouse',
        'client_id: gatehouse\n    client_secret: ${file:secret.txt}',
      ),
    );
    await t.write('config/secret.txt', 'line-one\n\n');
    const config = configOf(await loadConfig(t.configFile, { env: {} }));
    expect(config.identity_providers[0]?.client_secret).toBe('line-one\n');
  });

  it('warns, but loads, when no route is defined', async () => {
    const t = await tree(BASE_CONFIG, {});
    const result = await loadConfig(t.configFile, { env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'policies_dir: no routes are defined: every request will get 404',
    ]);
  });

  it('warns, but loads, when a CIDR has host bits set', async () => {
    const t = await tree(`${BASE_CONFIG}trusted_proxies: [10.1.2.3/8]\n`, {
      'apps.yaml': 'routes:\n  - id: a\n    upstream: http://127.0.0.1:1\n    policy: public\n',
    });
    const result = await loadConfig(t.configFile, { env: {} });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'trusted_proxies[0]: "10.1.2.3/8" has host bits set; it means 10.0.0.0/8',
    ]);
    expect(result.warnings.every((w) => w.severity === 'warning')).toBe(true);
  });
});

describe('loadConfig: environment overrides', () => {
  it('applies GATEHOUSE_* variables over the file', async () => {
    const t = await tree(`${BASE_CONFIG}listen:\n  port: 8080\nlogging:\n  level: info\n`);
    const config = configOf(
      await loadConfig(t.configFile, {
        env: {
          GATEHOUSE_SESSION_STORE: 'redis',
          GATEHOUSE_REDIS_URL: 'rediss://cache.internal:6380',
          GATEHOUSE_LISTEN_PORT: '9000',
          GATEHOUSE_PUBLIC_URL: 'https://other.example.test',
          GATEHOUSE_LOG_LEVEL: 'debug',
        },
      }),
    );
    expect(config.session.store).toBe('redis');
    expect(config.session.redis.url).toBe('rediss://cache.internal:6380');
    expect(config.session.redis.key_prefix).toBe('gatehouse:');
    expect(config.listen.port).toBe(9000);
    expect(config.public_url).toBe('https://other.example.test');
    expect(config.logging.level).toBe('debug');
  });

  it('ignores empty variables', async () => {
    const t = await tree();
    const config = configOf(
      await loadConfig(t.configFile, { env: { GATEHOUSE_SESSION_STORE: '' } }),
    );
    expect(config.session.store).toBe('memory');
  });

  it('validates an override like the key it replaces and names the variable', async () => {
    const t = await tree();
    const problems = problemsOf(
      await loadConfig(t.configFile, {
        env: { GATEHOUSE_SESSION_STORE: 'postgres', GATEHOUSE_LISTEN_PORT: 'http' },
      }),
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'listen.port: expected a number, got "http" (from environment variable GATEHOUSE_LISTEN_PORT)',
      'session.store: must be one of memory, redis, got "postgres" (from environment variable GATEHOUSE_SESSION_STORE)',
    ]);
  });
});

interface ProblemCase {
  readonly name: string;
  readonly config?: string;
  readonly policies?: Record<string, string>;
  readonly env?: Record<string, string>;
  /** Expected problems, formatted `relative/file:line:col path: message` (file relative to the tree root). */
  readonly expected: readonly string[];
}

const route = (extra: string): string =>
  `routes:\n  - id: home\n    upstream: http://127.0.0.1:9000\n    policy: public\n${extra}`;

const PROBLEM_CASES: readonly ProblemCase[] = [
  {
    name: 'YAML syntax error: one problem with file and line',
    config: `public_url: https://gate.example.test\nsession:\n  store: memory\n idle_timeout: 5m\n`,
    expected: [
      'config/gatehouse.yaml:4:1 YAML syntax error: All mapping items must start at the same column',
    ],
  },
  {
    name: 'duplicate key',
    config: `${BASE_CONFIG}public_url: https://again.example.test\n`,
    expected: ['config/gatehouse.yaml:6:1 duplicate key "public_url"'],
  },
  {
    name: 'unknown key, with a suggestion',
    config: `${BASE_CONFIG}listen:\n  prot: 80\n`,
    expected: ['config/gatehouse.yaml:7:3 listen: unknown key "prot" (did you mean "port"?)'],
  },
  {
    name: 'unknown top-level key, no suggestion',
    config: `${BASE_CONFIG}frobnicate: true\n`,
    expected: ['config/gatehouse.yaml:6:1 unknown key "frobnicate"'],
  },
  {
    name: 'wrong type',
    config: `${BASE_CONFIG}listen:\n  port: eighty\n`,
    expected: ['config/gatehouse.yaml:7:9 listen.port: expected a number, got "eighty"'],
  },
  {
    name: 'number out of range',
    config: `${BASE_CONFIG}listen:\n  port: 70000\n`,
    expected: ['config/gatehouse.yaml:7:9 listen.port: must be <= 65535, got 70000'],
  },
  {
    name: 'enum',
    config: `${BASE_CONFIG}session:\n  store: postgres\n`,
    expected: [
      'config/gatehouse.yaml:7:10 session.store: must be one of memory, redis, got "postgres"',
    ],
  },
  {
    name: 'bad duration',
    config: `${BASE_CONFIG}session:\n  idle_timeout: 15 minutes\n`,
    expected: [
      'config/gatehouse.yaml:7:17 session.idle_timeout: invalid duration "15 minutes": use seconds or a string like "30s", "15m", "12h", "7d"',
    ],
  },
  {
    name: 'missing required key points at the parent map',
    config: `identity_providers:\n  - id: corp\n    issuer: https://idp.example.test\n`,
    expected: [
      'config/gatehouse.yaml:1:1 public_url: required key is missing',
      'config/gatehouse.yaml:2:5 identity_providers[0].client_id: required key is missing',
    ],
  },
  {
    name: 'empty list',
    config: `public_url: https://gate.example.test\nidentity_providers: []\n`,
    expected: ['config/gatehouse.yaml:2:21 identity_providers: must not be an empty list'],
  },
  {
    name: 'top level is not a map',
    config: `- public_url: https://gate.example.test\n`,
    expected: ['config/gatehouse.yaml:1:1 expected a map of settings at the top level, got a list'],
  },
  {
    name: 'bad URL in a route',
    policies: {
      'a.yaml': `routes:\n  - id: home\n    upstream: localhost:9000\n    policy: public\n`,
    },
    expected: [
      'policies/a.yaml:3:15 routes[0].upstream: must be an http:// or https:// URL, got "localhost:9000"',
    ],
  },
  {
    name: 'invalid CIDR',
    config: `${BASE_CONFIG}trusted_proxies:\n  - 10.0.0.0/8\n  - 300.1.1.1\n`,
    expected: [
      'config/gatehouse.yaml:8:5 trusted_proxies[1]: not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)',
    ],
  },
  {
    name: 'typo in a route key reports the typo, not the missing key',
    policies: {
      'a.yaml': `routes:\n  - id: home\n    upstrem: http://127.0.0.1:9000\n    policy: public\n`,
    },
    expected: ['policies/a.yaml:3:5 routes[0]: unknown key "upstrem" (did you mean "upstream"?)'],
  },
  {
    name: 'union value explained by its alternatives',
    policies: { 'a.yaml': route('    mfa: requried\n') },
    expected: ['policies/a.yaml:5:10 routes[0].mfa: expected "required" or a map, got "requried"'],
  },
  {
    name: 'inline policy with an unknown key inside a rule',
    policies: {
      'a.yaml': `routes:\n  - id: home\n    upstream: http://127.0.0.1:9000\n    policy:\n      allow:\n        - grop: staff\n`,
    },
    expected: [
      'policies/a.yaml:6:11 routes[0].policy.allow[0]: unknown key "grop" (did you mean "group"?)',
    ],
  },
  {
    name: 'duplicate route id names both places',
    policies: { 'a.yaml': BASE_ROUTES, 'b.yaml': BASE_ROUTES.replace('9000', '9001') },
    expected: [
      'policies/b.yaml:2:9 routes[0].id: duplicate route id "home" (first defined at a.yaml:2:9)',
    ],
  },
  {
    name: 'unknown identity provider',
    policies: { 'a.yaml': route('    idp: google\n') },
    expected: [
      'policies/a.yaml:5:10 routes[0].idp: unknown identity provider "google" (defined: corp)',
    ],
  },
  {
    name: 'duplicate identity provider id',
    config: `${BASE_CONFIG}  - id: corp\n    issuer: https://idp2.example.test\n    client_id: x\n`,
    expected: [
      'config/gatehouse.yaml:6:9 identity_providers[1].id: duplicate identity provider id "corp" (first defined at line 3, column 9)',
    ],
  },
  {
    name: 'unknown named policy',
    policies: { 'a.yaml': BASE_ROUTES.replace('policy: public', 'policy: staff') },
    expected: [
      'policies/a.yaml:4:13 routes[0].policy: unknown policy "staff": define it under policies: or use public or authenticated',
    ],
  },
  {
    name: 'duplicate named policy and role across files',
    policies: {
      'a.yaml': `${BASE_ROUTES}policies:\n  staff:\n    allow: [{group: staff}]\nroles:\n  admin: [{group: ops}]\n`,
      'b.yaml': `policies:\n  staff:\n    allow: [{group: other}]\nroles:\n  admin: [{group: root}]\n`,
    },
    expected: [
      'policies/b.yaml:2:3 policies.staff: duplicate policy "staff" (first defined at a.yaml:6:3)',
      'policies/b.yaml:5:3 roles.admin: duplicate role "admin" (first defined at a.yaml:9:3)',
    ],
  },
  {
    name: 'built-in policy name cannot be redefined',
    policies: { 'a.yaml': `${BASE_ROUTES}policies:\n  public:\n    allow: [{group: staff}]\n` },
    expected: [
      'policies/a.yaml:6:3 policies.public: "public" is a built-in policy and cannot be redefined',
    ],
  },
  {
    name: 'unknown role in a rule',
    policies: {
      'a.yaml': `${BASE_ROUTES}policies:\n  staff:\n    allow:\n      - role: [admin, auditor]\nroles:\n  admin: [{group: ops}]\n`,
    },
    expected: [
      'policies/a.yaml:8:23 policies.staff.allow[0].role[1]: unknown role "auditor" (defined: admin)',
    ],
  },
  {
    name: 'missing environment variable names it, without a follow-on schema problem',
    config: BASE_CONFIG.replace('client_id: gatehouse', 'client_id: ${OIDC_CLIENT_ID}'),
    expected: [
      'config/gatehouse.yaml:5:16 identity_providers[0].client_id: environment variable OIDC_CLIENT_ID is not set',
    ],
  },
  {
    name: 'missing secret file names the path',
    config: BASE_CONFIG.replace(
      'client_id: gatehouse',
      'client_id: x\n    client_secret: ${file:../secrets/nope}',
    ),
    expected: [
      `config/gatehouse.yaml:6:20 identity_providers[0].client_secret: secret file not found: {root}/secrets/nope`,
    ],
  },
  {
    name: 'malformed reference',
    config: BASE_CONFIG.replace('client_id: gatehouse', 'client_id: ${not a name}'),
    expected: [
      'config/gatehouse.yaml:5:16 identity_providers[0].client_id: invalid reference "${not a name}": use ${ENV_VAR}, ${file:/path} or $${ for a literal "${"',
    ],
  },
  {
    name: 'missing policies directory',
    config: `${BASE_CONFIG}policies_dir: ../nowhere\n`,
    expected: [
      'config/gatehouse.yaml:6:15 policies_dir: policies directory not found: {root}/nowhere',
    ],
  },
];

describe('loadConfig: problems', () => {
  it.each(PROBLEM_CASES)('$name', async ({ config, policies, env, expected }) => {
    const t = await tree(config, policies);
    const problems = problemsOf(await loadConfig(t.configFile, { env: env ?? {} }));
    const lines = problems.map((p) => formatProblem(p).replace(`${t.root}/`, ''));
    expect(lines).toEqual(expected.map((e) => e.replaceAll('{root}', t.root)));
    expect(problems.every((p) => p.severity === 'error')).toBe(true);
  });

  it('reports a missing config file with its path and ERR_CONFIG_NOT_FOUND', async () => {
    const missing = path.join(FIXTURES, 'does-not-exist.yaml');
    const problems = problemsOf(await loadConfig(missing, { env: {} }));
    expect(problems).toEqual([
      {
        file: missing,
        line: 0,
        column: 0,
        path: '',
        message: 'config file not found',
        severity: 'error',
        code: 'ERR_CONFIG_NOT_FOUND',
      },
    ]);
    expect(formatProblem(problems[0]!)).toBe(`${missing} config file not found`);
  });

  it('reports every problem of every file of the broken fixture, in file and line order', async () => {
    const problems = problemsOf(await loadConfig(BROKEN, { env: {} }));
    const lines = problems.map((p) =>
      formatProblem(p).replace(`${path.join(FIXTURES, 'broken')}/`, ''),
    );
    expect(lines).toEqual([
      'config/gatehouse.yaml:1:13 public_url: expected an http(s) URL, got "localhost:9000"',
      'config/gatehouse.yaml:3:5 trusted_proxies[0]: not an IP address or CIDR block (e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8)',
      'config/gatehouse.yaml:5:10 session.store: must be one of memory, redis, got "postgres"',
      'config/gatehouse.yaml:6:3 session: unknown key "idle_timout" (did you mean "idle_timeout"?)',
      'config/gatehouse.yaml:11:9 identity_providers[1].id: duplicate identity provider id "corp" (first defined at line 8, column 9)',
      'policies/10-apps.yaml:6:5 routes[1]: unknown key "upstrem" (did you mean "upstream"?)',
      'policies/10-apps.yaml:8:9 routes[2].id: duplicate route id "wiki" (first defined at line 2, column 9)',
      'policies/10-apps.yaml:10:13 routes[2].policy: unknown policy "nosuchpolicy": define it under policies: or use public or authenticated',
      'policies/10-apps.yaml:11:10 routes[2].idp: unknown identity provider "nosuchidp" (defined: corp)',
      'policies/20-more.yaml:7:15 routes[0].upstream: must be an http:// or https:// URL, got 9000',
      'policies/20-more.yaml:9:9 routes[1].id: duplicate route id "app" (first defined at 10-apps.yaml:5:9)',
      'policies/30-dup.yaml:2:3 policies.employees: duplicate policy "employees" (first defined at 20-more.yaml:2:3)',
      'policies/30-dup.yaml:4:15 policies.employees.allow[0].role: unknown role "ghost" (none are defined)',
    ]);
  });

  it('still checks other files when one is not even YAML', async () => {
    const t = await tree(BASE_CONFIG, {
      'a.yaml': 'routes: [\n',
      'b.yaml': route('    idp: nope\n'),
    });
    const lines = problemsOf(await loadConfig(t.configFile, { env: {} })).map(
      (p) => `${path.basename(p.file)} ${p.path}`,
    );
    expect(lines).toEqual(['a.yaml ', 'b.yaml routes[0].idp']);
  });
});

describe('loadConfig: secret values never appear in problems', () => {
  const SECRET = 'Sup3r-S3cret-Value';
  const cases: readonly {
    name: string;
    config?: string;
    policies?: Record<string, string>;
    env: Record<string, string>;
  }[] = [
    {
      name: 'an env secret of the wrong type (unquoted digits become a number)',
      config: BASE_CONFIG.replace(
        'client_id: gatehouse',
        'client_id: x\n    client_secret: ${NUM_SECRET}',
      ),
      env: { NUM_SECRET: '8675309123' },
    },
    {
      name: 'a secret substituted into a URL key',
      config: BASE_CONFIG.replace('https://gate.example.test', '${PUBLIC}'),
      env: { PUBLIC: SECRET },
    },
    {
      name: 'a secret file substituted into a route upstream',
      policies: {
        'a.yaml': BASE_ROUTES.replace('http://127.0.0.1:9000', '${file:../config/secret.txt}'),
      },
      env: {},
    },
    {
      name: 'a literal client_secret of the wrong type',
      config: BASE_CONFIG.replace(
        'client_id: gatehouse',
        `client_id: x\n    client_secret: 8675309123`,
      ),
      env: {},
    },
    {
      name: 'a password in a bad Redis URL override',
      env: { GATEHOUSE_REDIS_URL: `http://user:${SECRET}@cache.internal` },
    },
    {
      name: 'a secret reused in a key that is echoed',
      config: `${BASE_CONFIG}session:\n  store: \${STORE}\n`,
      env: { STORE: SECRET },
    },
  ];
  it.each(cases)('$name', async ({ config, policies, env }) => {
    const t = await tree(config, policies);
    await t.write('config/secret.txt', `${SECRET}\n`);
    const problems = problemsOf(await loadConfig(t.configFile, { env }));
    expect(problems.length).toBeGreaterThan(0);
    const text = problems.map(formatProblem).join('\n');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('8675309123');
  });

  it('says which key and what kind of value instead', async () => {
    const t = await tree(
      BASE_CONFIG.replace('client_id: gatehouse', 'client_id: x\n    client_secret: 8675309123'),
    );
    const [problem] = problemsOf(await loadConfig(t.configFile, { env: {} }));
    expect(problem?.path).toBe('identity_providers[0].client_secret');
    expect(problem?.message).toBe('expected a string, got a number (value hidden)');
  });
});
