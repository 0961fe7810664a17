import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers an upgrade request on its raw socket (no `ServerResponse` exists for upgrades) with a
 * minimal HTTP/1.1 error response and closes the connection. `message` becomes a plain-text body;
 * characters outside printable ASCII are replaced so nothing can break the framing.
 * Does nothing when the socket is already destroyed or no longer writable; never throws.
 *
 * @param status HTTP status code, 400–599 (other values are sent as 502).
 * @see RFC 9110 §7.8 (Upgrade), RFC 6455 §4.1 (a non-101 answer fails the WebSocket handshake)
 */
export function writeUpgradeError(socket: Duplex, status: number, message: string): void {
  socket.on('error', () => undefined);
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const code = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 502;
  const reason = STATUS_CODES[code] ?? 'Error';
  const body = `${message.replace(/[^\x20-\x7e]/g, '?')}\n`;
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      'Cache-Control: no-store\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
