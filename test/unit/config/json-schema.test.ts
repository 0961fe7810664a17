import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema, gatewayJsonSchema } from '../../../src/config/index.js';

const COMMITTED = path.resolve(import.meta.dirname, '../../../config/gatehouse.schema.json');

describe('gatewayJsonSchema', () => {
  it('equals the committed config/gatehouse.schema.json (regenerate it when the schema changes)', async () => {
    // Compared as data, so formatting the file (Prettier) does not matter.
    const committed: unknown = JSON.parse(await readFile(COMMITTED, 'utf8'));
    expect(committed).toEqual(gatewayJsonSchema());
  });

  it('describes every top-level key, forbids unknown keys and requires only keys without defaults', () => {
    const schema = gatewayJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
      required: string[];
    };
    expect(Object.keys(schema.properties).sort()).toEqual(
      Object.keys(gatewayConfigSchema.shape).sort(),
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['identity_providers', 'public_url']);
  });

  it('documents durations as integer seconds or a unit string', () => {
    const schema = gatewayJsonSchema() as any;
    const idle = schema.properties.session.properties.idle_timeout;
    expect(idle.anyOf).toEqual([
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\s*\\d+[smhd]?\\s*$' },
    ]);
    const pattern = new RegExp(idle.anyOf[1].pattern);
    expect(['30s', '15m', '12h', '7d', '90'].every((s) => pattern.test(s))).toBe(true);
    expect(pattern.test('15 minutes')).toBe(false);
  });
});
