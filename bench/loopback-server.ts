/**
 * Benchmark helper: serves a request listener on an ephemeral 127.0.0.1 port with keep-alive
 * (65 s idle timeout) and closes it with every open connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops listening and closes every open connection. */
  close(): Promise<void>;
}

/** Listens with `listener` on 127.0.0.1 and an ephemeral port. */
export async function listenOnLoopback(listener: http.RequestListener): Promise<LoopbackServer> {
  const server = http.createServer(listener);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
