import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAuditLogger, createLogger } from '../../../src/observability/index.js';

function capture(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  return { lines, destination };
}

describe('createLogger (secrets never reach logs)', () => {
  it('redacts cookies, authorization, tokens, client secrets, TOTP secrets and passwords', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination });
    logger.info({
      req: { headers: { cookie: 'gatehouse_session=SESSIONSECRET', authorization: 'Bearer TOKENSECRET' } },
      tokens: { accessToken: 'AT-SECRET', refreshToken: 'RT-SECRET', idToken: 'IDT-SECRET' },
      idp: { client_secret: 'CLIENT-SECRET' },
      factor: { totpSecret: 'JBSWY3DPEHPK3PXP' },
      form: { password: 'wonderland', recoveryCode: 'abcd-efgh-ijkl' },
      handle: 'visible-handle',
    });
    const text = lines.join('\n');
    for (const secret of ['SESSIONSECRET', 'TOKENSECRET', 'AT-SECRET', 'RT-SECRET', 'IDT-SECRET', 'CLIENT-SECRET', 'JBSWY3DPEHPK3PXP', 'wonderland', 'abcd-efgh-ijkl']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('visible-handle');
  });
});

describe('createAuditLogger', () => {
  it('writes audit events as JSON lines with a time', () => {
    const { lines, destination } = capture();
    createAuditLogger({ destination }).info({ event: 'access.decision', route: 'app', decision: 'allow' }, 'access decision');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ event: 'access.decision', route: 'app', decision: 'allow', msg: 'access decision' });
    expect(typeof line.time).toBe('string');
  });
});
