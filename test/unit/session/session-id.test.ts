import { describe, expect, it } from 'vitest';
import {
  generateSessionId,
  isWellFormedHandle,
  isWellFormedSessionId,
  sessionHandle,
  sessionStorageKey,
} from '../../../src/session/index.js';

describe('session ids', () => {
  it('are 256 random bits, base64url, and never repeat', () => {
    const ids = Array.from({ length: 1000 }, generateSessionId);
    expect(new Set(ids).size).toBe(1000);
    for (const id of ids.slice(0, 20)) {
      expect(Buffer.from(id, 'base64url')).toHaveLength(32);
      expect(isWellFormedSessionId(id)).toBe(true);
    }
    expect(isWellFormedSessionId('x')).toBe(false);
    expect(isWellFormedSessionId(`${ids[0]!.slice(0, 42)}=`)).toBe(false);
  });

  it('derive a storage key and a handle that are different one-way digests', () => {
    const id = generateSessionId();
    const key = sessionStorageKey(id);
    const handle = sessionHandle(id);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(isWellFormedHandle(handle)).toBe(true);
    expect(key.startsWith(handle)).toBe(false);
    expect(sessionHandle(id)).toBe(handle);
    expect(sessionHandle(generateSessionId())).not.toBe(handle);
    expect(isWellFormedHandle('ABC')).toBe(false);
  });
});
