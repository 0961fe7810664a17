import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '../../../src/core/index.js';
import { ENV_OVERRIDES, gatewayJsonSchema } from '../../../src/config/index.js';

const DOCS = path.resolve(import.meta.dirname, '../../../docs');

/** Every key path of the main config's JSON Schema: `session.redis.url`, `identity_providers[].client_id` as `client_id`. */
function keyPaths(schema: any, prefix = ''): string[] {
  const out: string[] = [];
  const props = schema?.properties ?? schema?.items?.properties;
  const isList = schema?.items?.properties !== undefined;
  for (const [key, sub] of Object.entries<any>(props ?? {})) {
    const full = isList ? key : prefix === '' ? key : `${prefix}.${key}`;
    out.push(full);
    const childPrefix = isList ? (prefix === 'identity_providers' ? key : full) : full;
    out.push(...keyPaths(sub, childPrefix));
  }
  return out;
}

describe('docs stay in sync with the code', () => {
  it('docs/configuration.md documents every key of the main config and every environment override', async () => {
    const doc = await readFile(path.join(DOCS, 'configuration.md'), 'utf8');
    const missing = keyPaths(gatewayJsonSchema())
      .filter((k) => !k.startsWith('extra_auth_params.'))
      .filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
    for (const o of ENV_OVERRIDES) expect(doc).toContain(`\`${o.name}\``);
    expect(doc).toContain('`GATEHOUSE_CONFIG`');
  });

  it('docs/errors.md lists every error code with its status', async () => {
    const doc = await readFile(path.join(DOCS, 'errors.md'), 'utf8');
    for (const [code, status] of Object.entries(ERROR_STATUS) as [ErrorCode, number][]) {
      expect(doc).toMatch(new RegExp(`\\|\\s*\`${code}\`\\s*\\|\\s*${status}\\s*\\|`));
    }
  });
});
