import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createGatewayHandlers } from './request-handler.js';
import type { GatewayServices, RuntimeHolder } from './runtime.js';

/**
 * Creates the gateway's node:http server (not yet listening). Malformed HTTP that Node's
 * parser rejects gets a plain 400 and the connection is closed; nothing reaches an upstream.
 * Keep-alive timeout 65 s (longer than common load balancers' 60 s idle timeout).
 */
export function createGatewayServer(holder: RuntimeHolder, services: GatewayServices): http.Server {
  const handlers = createGatewayHandlers(holder, services);
  const server = http.createServer({ requestTimeout: 300_000, headersTimeout: 60_000, keepAliveTimeout: 65_000 });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handlers.request(req, res);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    handlers.upgrade(req, socket, head);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    services.logger.debug({ code: err.code }, 'malformed request rejected');
    if (socket.writable) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });
  return server;
}
