import { describe, expect, it } from 'vitest';
import { GatewayError, isGatewayError } from '../../../src/core/index.js';

describe('GatewayError', () => {
  it('takes its status from the code and exposes only client errors', () => {
    const bad = new GatewayError('ERR_REQUEST_TARGET_INVALID', 'encoded slash');
    expect(bad.status).toBe(400);
    expect(bad.expose).toBe(true);
    const down = new GatewayError('ERR_SESSION_STORE_UNAVAILABLE', 'redis down');
    expect(down.status).toBe(503);
    expect(down.expose).toBe(false);
    expect(isGatewayError(down, 'ERR_SESSION_STORE_UNAVAILABLE')).toBe(true);
    expect(isGatewayError(down, 'ERR_INTERNAL')).toBe(false);
    expect(isGatewayError(new Error('x'))).toBe(false);
  });
});
