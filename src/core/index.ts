export * from './errors.js';
export * from './identity.js';
export * from './decision.js';
export * from './clock.js';
export * from './canonical-request.js';
export * from './logger.js';
