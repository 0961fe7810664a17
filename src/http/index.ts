export * from './runtime.js';
export * from './server.js';
export * from './client-address.js';
export * from './redirect-target.js';
export * from './error-response.js';
export { createGatewayHandlers } from './request-handler.js';
