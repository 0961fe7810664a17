/**
 * The `mfa:` configuration section. The schema lives in `src/config/mfa-schema.ts` (config/ may
 * not import mfa/); it is re-exported here so the MFA module's public API stays whole.
 */
export {
  mfaAttemptsSchema,
  mfaConfigSchema,
  mfaStoreSchema,
  mfaTotpSchema,
  type MfaConfig,
} from '../config/index.js';
