import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger, userKey } from '../../../src/core/index.js';
import { sessionSchema } from '../../../src/config/index.js';
import { createSessionStore } from '../../../src/session/index.js';
import { redisUrl, uniqueRedisPrefix } from '../../helpers/redis.js';

const deps = { clock: new ManualClock(), logger: silentLogger };
const identity = {
  issuer: 'https://idp.example.com',
  sub: 'alice',
  user: 'alice',
  groups: [],
  roles: [],
  amr: [],
  claims: {},
};

describe('createSessionStore', () => {
  it('builds the memory store by default', async () => {
    const store = createSessionStore(sessionSchema.parse({}), deps);
    expect('cacheSize' in store).toBe(false);
    const { id } = await store.create({ idpId: 'corp', identity, tokens: {} });
    expect((await store.get(id))?.id).toBe(id);
    await store.close();
  });

  it('builds a cached Redis store under the configured prefix', async () => {
    const prefix = uniqueRedisPrefix('session-factory');
    const config = sessionSchema.parse({
      store: 'redis',
      idle_timeout: '15m',
      redis: { url: redisUrl(), key_prefix: prefix },
    });
    const store = createSessionStore(config, deps);
    expect('cacheSize' in store).toBe(true);
    await store.ping();
    await store.create({ idpId: 'corp', identity, tokens: {} });
    const other = createSessionStore({ ...config, cache: { max_entries: 0, max_age: 5 } }, deps);
    expect('cacheSize' in other).toBe(false);
    expect(await other.listByUser(userKey(identity))).toHaveLength(1);
    expect(await other.revokeUser(userKey(identity))).toBe(1);
    await Promise.all([store.close(), other.close()]);
  });

  it('rejects a zero lifetime with ERR_CONFIG_INVALID', () => {
    expect(() => createSessionStore(sessionSchema.parse({ idle_timeout: 0 }), deps)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
  });
});
