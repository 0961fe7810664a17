import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../core/index.js';
import { storeError, toFactor, toRecovery, toSealedRow, type FactorRow, type RecoveryRow } from './factor-rows.js';
import { MIGRATIONS } from './migrations.js';
import type { FactorStore } from './types.js';

/** Options of {@link createSqliteFactorStore}. */
export interface SqliteFactorStoreOptions {
  /** Database file path (created if missing). `:memory:` only for tests: it is not shared. */
  readonly file: string;
  /** How long a write waits for another process's lock, in milliseconds. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Clock for `applied_at` of migrations. Default: system clock. */
  readonly clock?: Clock;
}

function migrate(db: Database.Database, clock: Clock): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS mfa_schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  // BEGIN IMMEDIATE takes the write lock first, so two processes opening the same file
  // at once apply each migration exactly once.
  db.transaction(() => {
    const applied = new Set(
      db
        .prepare('SELECT version FROM mfa_schema_migrations')
        .all()
        .map((r) => (r as { version: number }).version),
    );
    const record = db.prepare('INSERT INTO mfa_schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      for (const sql of m.sqlite) db.exec(sql);
      record.run(m.version, m.description, Math.floor(clock.now() / 1000));
    }
  }).immediate();
}

/**
 * Opens (creating if needed) an SQLite factor store and applies pending migrations.
 * Uses WAL journaling so several gateway processes on one host can share the file.
 * @throws GatewayError `ERR_MFA_STORE_UNAVAILABLE` when the file cannot be opened or migrated.
 */
export function createSqliteFactorStore(options: SqliteFactorStoreOptions): Promise<FactorStore> {
  const clock = options.clock ?? systemClock;
  let db: Database.Database;
  try {
    db = new Database(options.file);
    db.pragma(`busy_timeout = ${String(Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000)))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, clock);
  } catch (cause) {
    return Promise.reject(storeError('sqlite', `open ${options.file}`, cause));
  }

  const q = {
    deletePending: db.prepare("DELETE FROM mfa_factors WHERE user_key = ? AND status = 'pending'"),
    insertFactor: db.prepare(
      `INSERT INTO mfa_factors (id, user_key, type, status, label, key_id, secret, algorithm, digits, period, created_at)
       VALUES (@id, @userKey, @type, 'pending', @label, @keyId, @secret, @algorithm, @digits, @period, @createdAt)`,
    ),
    getFactor: db.prepare('SELECT * FROM mfa_factors WHERE user_key = ? AND id = ?'),
    activate: db.prepare(
      "UPDATE mfa_factors SET status = 'active', activated_at = ? WHERE user_key = ? AND id = ? AND status = 'pending'",
    ),
    touch: db.prepare('UPDATE mfa_factors SET last_used_at = ? WHERE user_key = ? AND id = ?'),
    listFactors: db.prepare('SELECT * FROM mfa_factors WHERE user_key = ? ORDER BY created_at, id'),
    deleteFactors: db.prepare('DELETE FROM mfa_factors WHERE user_key = ?'),
    deleteCodes: db.prepare('DELETE FROM mfa_recovery_codes WHERE user_key = ?'),
    deleteMarkers: db.prepare('DELETE FROM mfa_used_codes WHERE user_key = ?'),
    prunePending: db.prepare("DELETE FROM mfa_factors WHERE status = 'pending' AND created_at < ?"),
    insertCode: db.prepare(
      'INSERT INTO mfa_recovery_codes (id, user_key, salt, hash, created_at) VALUES (@id, @userKey, @salt, @hash, @createdAt)',
    ),
    listCodes: db.prepare('SELECT * FROM mfa_recovery_codes WHERE user_key = ? AND used_at IS NULL ORDER BY id'),
    consumeCode: db.prepare(
      'UPDATE mfa_recovery_codes SET used_at = ? WHERE user_key = ? AND id = ? AND used_at IS NULL',
    ),
    markUsed: db.prepare(
      'INSERT INTO mfa_used_codes (user_key, factor_id, time_step, used_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    pruneUsed: db.prepare('DELETE FROM mfa_used_codes WHERE used_at < ?'),
    pruneUsedUser: db.prepare('DELETE FROM mfa_used_codes WHERE used_at < ? AND user_key = ?'),
    notUnderKey: db.prepare(
      'SELECT id, user_key, key_id, secret FROM mfa_factors WHERE key_id <> ? AND id > ? ORDER BY id LIMIT ?',
    ),
    updateSecret: db.prepare('UPDATE mfa_factors SET key_id = ?, secret = ? WHERE id = ? AND secret = ?'),
    countByKey: db.prepare('SELECT key_id, COUNT(*) AS n FROM mfa_factors GROUP BY key_id'),
  };

  const savePending = db.transaction((f: Parameters<FactorStore['savePendingFactor']>[0]) => {
    q.deletePending.run(f.userKey);
    q.insertFactor.run(f);
  });
  const deleteUser = db.transaction((userKey: string) => {
    q.deleteCodes.run(userKey);
    q.deleteMarkers.run(userKey);
    return q.deleteFactors.run(userKey).changes;
  });
  const replaceCodes = db.transaction((userKey: string, codes: Parameters<FactorStore['replaceRecoveryCodes']>[1]) => {
    q.deleteCodes.run(userKey);
    for (const c of codes) q.insertCode.run({ ...c, userKey });
  });

  /** Runs a synchronous database call, mapping failures to ERR_MFA_STORE_UNAVAILABLE. */
  const run = <T>(op: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(storeError('sqlite', op, cause));
    }
  };

  return Promise.resolve({
    savePendingFactor: (f) =>
      run('savePendingFactor', () => {
        savePending(f);
      }),
    getFactor: (userKey, id) =>
      run('getFactor', () => {
        const row = q.getFactor.get(userKey, id) as FactorRow | undefined;
        return row ? toFactor(row) : undefined;
      }),
    activateFactor: (userKey, id, now) => run('activateFactor', () => q.activate.run(now, userKey, id).changes === 1),
    touchFactor: (userKey, id, now) =>
      run('touchFactor', () => {
        q.touch.run(now, userKey, id);
      }),
    listFactors: (userKey) => run('listFactors', () => (q.listFactors.all(userKey) as FactorRow[]).map(toFactor)),
    deleteUser: (userKey) => run('deleteUser', () => deleteUser(userKey)),
    prunePendingFactors: (before) => run('prunePendingFactors', () => q.prunePending.run(before).changes),
    replaceRecoveryCodes: (userKey, codes) =>
      run('replaceRecoveryCodes', () => {
        replaceCodes(userKey, codes);
      }),
    listRecoveryCodes: (userKey) =>
      run('listRecoveryCodes', () => (q.listCodes.all(userKey) as RecoveryRow[]).map(toRecovery)),
    consumeRecoveryCode: (userKey, id, now) =>
      run('consumeRecoveryCode', () => q.consumeCode.run(now, userKey, id).changes === 1),
    markCodeUsed: (userKey, factorId, step, now) =>
      run('markCodeUsed', () => q.markUsed.run(userKey, factorId, step, now).changes === 1),
    pruneUsedCodes: (before, userKey) =>
      run('pruneUsedCodes', () =>
        userKey === undefined ? q.pruneUsed.run(before).changes : q.pruneUsedUser.run(before, userKey).changes,
      ),
    listFactorsNotUnderKey: (keyId, afterId, limit) =>
      run('listFactorsNotUnderKey', () =>
        (q.notUnderKey.all(keyId, afterId, limit) as FactorRow[]).map(toSealedRow),
      ),
    updateFactorSecret: (id, expected, keyId, secret) =>
      run('updateFactorSecret', () => q.updateSecret.run(keyId, secret, id, expected).changes === 1),
    countFactorsByKeyId: () =>
      run('countFactorsByKeyId', () =>
        Object.fromEntries((q.countByKey.all() as { key_id: string; n: number }[]).map((r) => [r.key_id, r.n])),
      ),
    ping: () =>
      run('ping', () => {
        db.prepare('SELECT 1').get();
      }),
    close: () =>
      run('close', () => {
        if (db.open) db.close();
      }),
  });
}
