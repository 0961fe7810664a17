export * from './duration.js';
export * from './gateway-schema.js';
export * from './policy-schema.js';
export * from './types.js';
