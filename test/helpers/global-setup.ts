/**
 * Vitest global setup: makes sure a real Redis is reachable for the suite.
 * Uses REDIS_URL (default redis://127.0.0.1:6379); when nothing answers there, starts
 * its own `redis-server` on a free loopback port, or fails with one line saying what to install.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { existsSync } from 'node:fs';

function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH'));
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('no port'));
      });
    });
  });
}

let child: ChildProcess | undefined;

export default async function setup(): Promise<() => void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await reachable(url)) {
    process.env.REDIS_URL = url;
  } else {
    const bin = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
    if (!bin) {
      throw new Error(
        `Redis is not reachable at ${url} and redis-server is not installed: run "apt-get install -y redis-server" or set REDIS_URL`,
      );
    }
    const port = await freePort();
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const own = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && !(await reachable(own)); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await reachable(own))) throw new Error(`started ${bin} on port ${port} but it does not answer`);
    process.env.REDIS_URL = own;
  }
  return () => {
    child?.kill();
  };
}
