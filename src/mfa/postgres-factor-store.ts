import pg from 'pg';
import { GatewayError, systemClock, type Clock } from '../core/index.js';
import { POSTGRES_SCHEMA_NAME } from '../config/index.js';
import { storeError, toFactor, toRecovery, toSealedRow, type FactorRow, type RecoveryRow } from './factor-rows.js';
import { MIGRATIONS } from './migrations.js';
import type { FactorStore } from './types.js';

/** Options of {@link createPostgresFactorStore}. */
export interface PostgresFactorStoreOptions {
  /** `postgres://user:password@host:port/database` (libpq URI; `?sslmode=…` honoured by `pg`). */
  readonly connectionString: string;
  /** Schema holding the tables; created if missing. Lower-case identifier. Default `gatehouse_mfa`. */
  readonly schema?: string;
  /** Pool size. Default 10. */
  readonly maxConnections?: number;
  /** Connect and query timeout, in milliseconds. Default 5000. */
  readonly timeoutMs?: number;
  /** Clock for `applied_at` of migrations. Default: system clock. */
  readonly clock?: Clock;
}

export { POSTGRES_SCHEMA_NAME };
/** First half of the advisory lock key taken while migrating (`'GHMF'` as int32). */
const LOCK_CLASS = 0x47484d46;

/**
 * Connects a PostgreSQL factor store and applies pending migrations in one transaction,
 * serialised across instances by a transaction-scoped advisory lock
 * (`pg_advisory_xact_lock`), so concurrent starts are safe.
 * @throws GatewayError `ERR_CONFIG_INVALID` for a bad schema name;
 *   `ERR_MFA_STORE_UNAVAILABLE` when the database cannot be reached or migrated.
 */
export async function createPostgresFactorStore(options: PostgresFactorStoreOptions): Promise<FactorStore> {
  const schema = options.schema ?? 'gatehouse_mfa';
  if (!POSTGRES_SCHEMA_NAME.test(schema)) {
    throw new GatewayError('ERR_CONFIG_INVALID', `mfa.store.postgres.schema: "${schema}" must match ${POSTGRES_SCHEMA_NAME.source}`);
  }
  const clock = options.clock ?? systemClock;
  const timeout = options.timeoutMs ?? 5000;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeout,
    query_timeout: timeout,
  });
  // An idle client losing its connection must not crash the process; the next query fails instead.
  pool.on('error', () => undefined);
  const s = pg.escapeIdentifier(schema);
  const t = (name: string): string => `${s}.${pg.escapeIdentifier(name)}`;
  const F = t('mfa_factors');
  const R = t('mfa_recovery_codes');
  const U = t('mfa_used_codes');

  async function tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      c.release();
    }
  }

  async function run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      throw storeError('postgres', op, cause);
    }
  }

  try {
    await tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${t('mfa_schema_migrations')} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
      );
      const done = await c.query<{ version: number }>(`SELECT version FROM ${t('mfa_schema_migrations')}`);
      const applied = new Set(done.rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        for (const sql of m.postgres(t)) await c.query(sql);
        await c.query(`INSERT INTO ${t('mfa_schema_migrations')} (version, description, applied_at) VALUES ($1, $2, $3)`, [
          m.version,
          m.description,
          Math.floor(clock.now() / 1000),
        ]);
      }
    });
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw storeError('postgres', `open schema ${schema}`, cause);
  }

  let closed = false;
  return {
    savePendingFactor: (f) =>
      run('savePendingFactor', () =>
        tx(async (c) => {
          await c.query(`DELETE FROM ${F} WHERE user_key = $1 AND status = 'pending'`, [f.userKey]);
          await c.query(
            `INSERT INTO ${F} (id, user_key, type, status, label, key_id, secret, algorithm, digits, period, created_at)
             VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10)`,
            [f.id, f.userKey, f.type, f.label, f.keyId, f.secret, f.algorithm, f.digits, f.period, f.createdAt],
          );
        }),
      ),
    getFactor: (userKey, id) =>
      run('getFactor', async () => {
        const r = await pool.query<FactorRow>(`SELECT * FROM ${F} WHERE user_key = $1 AND id = $2`, [userKey, id]);
        const row = r.rows[0];
        return row ? toFactor(row) : undefined;
      }),
    activateFactor: (userKey, id, now) =>
      run('activateFactor', async () => {
        const r = await pool.query(
          `UPDATE ${F} SET status = 'active', activated_at = $1 WHERE user_key = $2 AND id = $3 AND status = 'pending'`,
          [now, userKey, id],
        );
        return r.rowCount === 1;
      }),
    touchFactor: (userKey, id, now) =>
      run('touchFactor', async () => {
        await pool.query(`UPDATE ${F} SET last_used_at = $1 WHERE user_key = $2 AND id = $3`, [now, userKey, id]);
      }),
    listFactors: (userKey) =>
      run('listFactors', async () => {
        const r = await pool.query<FactorRow>(`SELECT * FROM ${F} WHERE user_key = $1 ORDER BY created_at, id`, [userKey]);
        return r.rows.map(toFactor);
      }),
    deleteUser: (userKey) =>
      run('deleteUser', () =>
        tx(async (c) => {
          await c.query(`DELETE FROM ${R} WHERE user_key = $1`, [userKey]);
          await c.query(`DELETE FROM ${U} WHERE user_key = $1`, [userKey]);
          const r = await c.query(`DELETE FROM ${F} WHERE user_key = $1`, [userKey]);
          return r.rowCount ?? 0;
        }),
      ),
    prunePendingFactors: (before) =>
      run('prunePendingFactors', async () => {
        const r = await pool.query(`DELETE FROM ${F} WHERE status = 'pending' AND created_at < $1`, [before]);
        return r.rowCount ?? 0;
      }),
    replaceRecoveryCodes: (userKey, codes) =>
      run('replaceRecoveryCodes', () =>
        tx(async (c) => {
          await c.query(`DELETE FROM ${R} WHERE user_key = $1`, [userKey]);
          for (const code of codes) {
            await c.query(`INSERT INTO ${R} (id, user_key, salt, hash, created_at) VALUES ($1, $2, $3, $4, $5)`, [
              code.id,
              userKey,
              code.salt,
              code.hash,
              code.createdAt,
            ]);
          }
        }),
      ),
    listRecoveryCodes: (userKey) =>
      run('listRecoveryCodes', async () => {
        const r = await pool.query<RecoveryRow>(`SELECT * FROM ${R} WHERE user_key = $1 AND used_at IS NULL ORDER BY id`, [userKey]);
        return r.rows.map(toRecovery);
      }),
    consumeRecoveryCode: (userKey, id, now) =>
      run('consumeRecoveryCode', async () => {
        const r = await pool.query(`UPDATE ${R} SET used_at = $1 WHERE user_key = $2 AND id = $3 AND used_at IS NULL`, [
          now,
          userKey,
          id,
        ]);
        return r.rowCount === 1;
      }),
    markCodeUsed: (userKey, factorId, step, now) =>
      run('markCodeUsed', async () => {
        const r = await pool.query(
          `INSERT INTO ${U} (user_key, factor_id, time_step, used_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
          [userKey, factorId, step, now],
        );
        return r.rowCount === 1;
      }),
    pruneUsedCodes: (before, userKey) =>
      run('pruneUsedCodes', async () => {
        const r =
          userKey === undefined
            ? await pool.query(`DELETE FROM ${U} WHERE used_at < $1`, [before])
            : await pool.query(`DELETE FROM ${U} WHERE used_at < $1 AND user_key = $2`, [before, userKey]);
        return r.rowCount ?? 0;
      }),
    listFactorsNotUnderKey: (keyId, afterId, limit) =>
      run('listFactorsNotUnderKey', async () => {
        const r = await pool.query<FactorRow>(
          `SELECT id, user_key, key_id, secret FROM ${F} WHERE key_id <> $1 AND id COLLATE "C" > $2 ORDER BY id COLLATE "C" LIMIT $3`,
          [keyId, afterId, limit],
        );
        return r.rows.map(toSealedRow);
      }),
    updateFactorSecret: (id, expected, keyId, secret) =>
      run('updateFactorSecret', async () => {
        const r = await pool.query(`UPDATE ${F} SET key_id = $1, secret = $2 WHERE id = $3 AND secret = $4`, [
          keyId,
          secret,
          id,
          expected,
        ]);
        return r.rowCount === 1;
      }),
    countFactorsByKeyId: () =>
      run('countFactorsByKeyId', async () => {
        const r = await pool.query<{ key_id: string; n: string }>(`SELECT key_id, COUNT(*) AS n FROM ${F} GROUP BY key_id`);
        return Object.fromEntries(r.rows.map((row) => [row.key_id, Number(row.n)]));
      }),
    ping: () =>
      run('ping', async () => {
        await pool.query('SELECT 1');
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
