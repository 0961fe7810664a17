import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeUpgradeError } from '../../../src/proxy/index.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Calls `write` on the server side of a loopback connection; resolves with all bytes the client got. */
async function exchange(write: (socket: net.Socket) => void): Promise<string> {
  const server = net.createServer(write);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return new Promise((resolve, reject) => {
    const client = net.connect(port, '127.0.0.1');
    let data = '';
    client.setEncoding('latin1');
    client.on('data', (c: string) => (data += c));
    client.on('end', () => {
      resolve(data);
    });
    client.on('error', reject);
  });
}

describe('writeUpgradeError', () => {
  it('writes a complete HTTP/1.1 error response and closes the socket', async () => {
    const raw = await exchange((s) => {
      writeUpgradeError(s, 502, 'ERR_UPSTREAM_UNAVAILABLE');
    });
    const [head, body] = raw.split('\r\n\r\n');
    expect(head?.split('\r\n')[0]).toBe('HTTP/1.1 502 Bad Gateway');
    expect(head).toContain('Connection: close');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body ?? '')}`);
    expect(body).toBe('ERR_UPSTREAM_UNAVAILABLE\n');
  });

  it('cannot be used to inject headers and maps invalid statuses to 502', async () => {
    const raw = await exchange((s) => {
      writeUpgradeError(s, 99, 'x\r\nSet-Cookie: a=1\u00e9');
    });
    expect(raw.startsWith('HTTP/1.1 502 Bad Gateway\r\n')).toBe(true);
    expect(raw).not.toContain('\r\nSet-Cookie');
    expect(raw.endsWith('x??Set-Cookie: a=1?\n')).toBe(true);
  });

  it('does nothing harmful on a destroyed socket', () => {
    const socket = new net.Socket();
    socket.destroy();
    expect(() => {
      writeUpgradeError(socket, 504, 'late');
    }).not.toThrow();
  });
});
