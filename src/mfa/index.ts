export * from './types.js';
export * from './totp.js';
export * from './qr.js';
export * from './secret-box.js';
export * from './migrations.js';
export * from './sqlite-factor-store.js';
export * from './postgres-factor-store.js';
