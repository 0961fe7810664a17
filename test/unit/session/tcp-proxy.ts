import net from 'node:net';

/**
 * A loopback TCP relay in front of a real server, so a test can cut every connection
 * (Redis "goes away") or stop answering (a black hole) without touching the shared Redis.
 */
export interface TcpProxy {
  readonly url: string;
  /** Destroys every relayed connection; new ones are still accepted. */
  cut(): void;
  /** Stops listening and cuts every connection: the server is gone (connections refused). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** While true, accepted connections are held open but nothing is relayed (a hung server). */
  blackhole: boolean;
  close(): Promise<void>;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const proxy: { blackhole: boolean } = { blackhole: false };
  const server = net.createServer((client) => {
    track(client);
    if (proxy.blackhole) return;
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 6379) });
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  const cut = (): void => {
    for (const s of sockets) s.destroy();
  };
  return Object.assign(proxy, {
    url: `redis://127.0.0.1:${address.port}`,
    cut,
    down() {
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      cut();
      return closed;
    },
    up() {
      return new Promise<void>((resolve) => server.listen(address.port, '127.0.0.1', resolve));
    },
    close() {
      cut();
      return server.listening
        ? new Promise<void>((resolve) =>
            server.close(() => {
              resolve();
            }),
          )
        : Promise.resolve();
    },
  });
}

/** A loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}
