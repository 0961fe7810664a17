import { z } from 'zod';
import { DURATION_JSON_SCHEMA, durationInput } from './duration.js';
import { gatewayConfigSchema } from './gateway-schema.js';

/** `$id` of the committed `config/gatehouse.schema.json`. */
export const GATEWAY_JSON_SCHEMA_ID = 'https://gatehouse.dev/schemas/gatehouse.schema.json';

/**
 * JSON Schema (draft 2020-12) of `config/gatehouse.yaml`, generated from the zod schema's
 * input side (what may be written: keys with defaults are optional, durations are a number
 * of seconds or a string). Editors use it for completion, e.g. with a
 * `# yaml-language-server: $schema=./gatehouse.schema.json` comment.
 * The committed `config/gatehouse.schema.json` must hold the same data (a unit test guards it);
 * regenerate it with `JSON.stringify(gatewayJsonSchema(), null, 2)` when the schema changes.
 * @see https://json-schema.org/draft/2020-12/json-schema-core
 */
export function gatewayJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(gatewayConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema === durationInput) {
        delete ctx.jsonSchema.type;
        Object.assign(ctx.jsonSchema, structuredClone(DURATION_JSON_SCHEMA));
      }
    },
  });
  return {
    $schema: generated.$schema,
    $id: GATEWAY_JSON_SCHEMA_ID,
    title: 'Gatehouse gateway configuration (config/gatehouse.yaml)',
    ...generated,
  };
}
