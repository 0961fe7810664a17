import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';

/** What the gateway believes about the client after trusted-proxy handling. */
export interface ClientInfo {
  /** Client address (IPv4-mapped IPv6 addresses are reported as IPv4). */
  readonly ip: string;
  /** Scheme the client used. */
  readonly proto: 'http' | 'https';
  /** Host the client addressed (`Host`, or `X-Forwarded-Host` from a trusted proxy). */
  readonly host: string | undefined;
  /** Earlier hops in front of the client in `X-Forwarded-For` (only from a trusted proxy), to pass on. */
  readonly priorFor: string | undefined;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

function normalise(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const first = v.split(',')[0]?.trim();
  return first === '' ? undefined : first;
}

/**
 * Compiles the `trusted_proxies` CIDR list into a resolver of {@link ClientInfo}.
 * `X-Forwarded-For`, `-Proto` and `-Host` are believed only when the TCP peer is a trusted
 * proxy; the client address is then the right-most untrusted address of the chain.
 * @throws TypeError for an invalid CIDR (config validation rejects those before).
 */
export function createClientInfoResolver(trustedCidrs: readonly string[]): (req: IncomingMessage) => ClientInfo {
  const cidrs: Cidr[] = trustedCidrs.map((c) => {
    if (c.includes('/')) return ipaddr.parseCIDR(c);
    const a = ipaddr.parse(c);
    return [a, a.kind() === 'ipv4' ? 32 : 128] as Cidr;
  });
  const isTrusted = (addr: ipaddr.IPv4 | ipaddr.IPv6 | undefined): boolean =>
    addr !== undefined &&
    cidrs.some(([range, bits]) => {
      if (range.kind() !== addr.kind()) return false;
      return (addr as ipaddr.IPv4).match(range, bits);
    });

  return (req) => {
    const peerText = req.socket.remoteAddress ?? '';
    // No trusted proxies and an IPv4 peer (already in dotted-quad form): nothing to parse.
    const peer = cidrs.length === 0 && isIPv4(peerText) ? undefined : normalise(peerText);
    const peerIp = peer?.toString() ?? peerText;
    const ownProto: 'http' | 'https' = 'encrypted' in req.socket && req.socket.encrypted === true ? 'https' : 'http';
    const hostHeader = req.headers.host;
    if (cidrs.length === 0 || !isTrusted(peer)) {
      return { ip: peerIp, proto: ownProto, host: hostHeader, priorFor: undefined };
    }
    const xff = req.headers['x-forwarded-for'];
    const chainText = Array.isArray(xff) ? xff.join(',') : (xff ?? '');
    const chain = chainText
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    let ip = peerIp;
    let clientIndex = chain.length;
    for (let i = chain.length - 1; i >= 0; i--) {
      const candidate = normalise(chain[i] ?? '');
      if (candidate === undefined) break;
      ip = candidate.toString();
      clientIndex = i;
      if (!isTrusted(candidate)) break;
    }
    const prior = chain.slice(0, clientIndex);
    const protoHeader = firstValue(req.headers['x-forwarded-proto'])?.toLowerCase();
    const proto = protoHeader === 'https' || protoHeader === 'http' ? protoHeader : ownProto;
    const host = firstValue(req.headers['x-forwarded-host']) ?? hostHeader;
    return { ip, proto, host, priorFor: prior.length > 0 ? prior.join(', ') : undefined };
  };
}
