import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isGatewayError } from '../../src/core/index.js';
import { createPostgresFactorStore, createSqliteFactorStore, LATEST_SCHEMA_VERSION } from '../../src/mfa/index.js';
import { factorStoreContract } from './factor-store.contract.js';

/** PostgreSQL of the test machine: trust auth on 127.0.0.1, database `test`. */
export const PG_URL = process.env.PG_TEST_URL ?? `postgres://${process.env.PGUSER ?? 'postgres'}@127.0.0.1:5432/test`;
const runTag = randomBytes(4).toString('hex');
let schemaSeq = 0;
const schemas: string[] = [];

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
  } finally {
    await c.end();
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-mfa-store-'));
let fileSeq = 0;

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

factorStoreContract('sqlite', {
  create: () => {
    const file = join(tmp, `store-${++fileSeq}.db`);
    return Promise.resolve({
      open: () => createSqliteFactorStore({ file }),
      destroy: () => {
        rmSync(file, { force: true });
        rmSync(`${file}-wal`, { force: true });
        rmSync(`${file}-shm`, { force: true });
        return Promise.resolve();
      },
    });
  },
});

factorStoreContract('postgres', {
  create: () => {
    const schema = `gh_mfa_test_${runTag}_${++schemaSeq}`;
    schemas.push(schema);
    return Promise.resolve({
      open: () => createPostgresFactorStore({ connectionString: PG_URL, schema }),
      destroy: () => dropSchema(schema),
    });
  },
});

describe('schema migrations', () => {
  it('sqlite: applies each version once, also when reopened', async () => {
    const file = join(tmp, 'migrate.db');
    for (let i = 0; i < 3; i++) await (await createSqliteFactorStore({ file })).close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT version FROM mfa_schema_migrations ORDER BY version').all() as { version: number }[];
    db.close();
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
  });

  it('postgres: concurrent starts on a new schema all succeed and apply each version once', async () => {
    const schema = `gh_mfa_test_${runTag}_concurrent`;
    schemas.push(schema);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => createPostgresFactorStore({ connectionString: PG_URL, schema })),
    );
    await stores[0]!.markCodeUsed('u', 'f', 1, 1);
    expect(await stores[3]!.markCodeUsed('u', 'f', 1, 1)).toBe(false);
    for (const s of stores) await s.close();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    const r = await c.query(`SELECT version FROM ${pg.escapeIdentifier(schema)}.mfa_schema_migrations ORDER BY version`);
    await c.end();
    expect(r.rows.map((x: { version: number }) => x.version)).toEqual(
      Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1),
    );
  });

  it('postgres: refuses a schema name that is not a plain identifier', async () => {
    await expect(createPostgresFactorStore({ connectionString: PG_URL, schema: 'x; drop table y' })).rejects.toSatisfy(
      (e) => isGatewayError(e, 'ERR_CONFIG_INVALID'),
    );
  });

  it('postgres: an unreachable server fails with ERR_MFA_STORE_UNAVAILABLE', async () => {
    await expect(
      createPostgresFactorStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'x', timeoutMs: 2000 }),
    ).rejects.toSatisfy((e) => isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'));
  });

  it('sqlite: an unopenable file fails with ERR_MFA_STORE_UNAVAILABLE', async () => {
    await expect(createSqliteFactorStore({ file: join(tmp, 'missing-dir', 'x.db') })).rejects.toSatisfy((e) =>
      isGatewayError(e, 'ERR_MFA_STORE_UNAVAILABLE'),
    );
  });
});
