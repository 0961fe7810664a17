import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../../core/index.js';

/** Largest form body the MFA pages accept, in bytes (a code, a token and a return URL). */
export const MAX_FORM_BYTES = 16 * 1024;

/**
 * Reads an `application/x-www-form-urlencoded` request body (HTML form POST) with a size limit.
 * Another content type yields empty fields (the CSRF check then refuses the request).
 * @throws GatewayError `ERR_PAYLOAD_TOO_LARGE` beyond {@link MAX_FORM_BYTES}.
 * @see https://url.spec.whatwg.org/#application/x-www-form-urlencoded
 */
export async function readForm(
  req: IncomingMessage,
  maxBytes = MAX_FORM_BYTES,
): Promise<URLSearchParams> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw new GatewayError('ERR_PAYLOAD_TOO_LARGE', 'The form is too large.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new GatewayError('ERR_PAYLOAD_TOO_LARGE', 'The form is too large.');
    chunks.push(chunk);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
