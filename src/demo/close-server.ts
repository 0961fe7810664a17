/**
 * DEVELOPMENT ONLY — helper of the demo servers (never use in production).
 */
import type { Server } from 'node:http';

/** Stops a server from accepting connections and closes every open (keep-alive) connection. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => {
      if (err) reject(err);
      else resolve();
    });
    server.closeAllConnections();
  });
}
