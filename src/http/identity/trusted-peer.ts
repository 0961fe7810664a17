import ipaddr from 'ipaddr.js';
import type { IncomingMessage } from 'node:http';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Compiles `trusted_proxies` into a check of the TCP peer of a request (the address that
 * connected to the gateway, never a header). IPv4-mapped IPv6 peers are compared as IPv4.
 * @throws TypeError for an invalid CIDR (config validation rejects those before).
 */
export function createTrustedPeerCheck(trustedCidrs: readonly string[]): (req: IncomingMessage) => boolean {
  const cidrs: Cidr[] = trustedCidrs.map((c) => {
    if (c.includes('/')) return ipaddr.parseCIDR(c);
    const a = ipaddr.parse(c);
    return [a, a.kind() === 'ipv4' ? 32 : 128] as Cidr;
  });
  return (req) => {
    const text = req.socket.remoteAddress ?? '';
    if (cidrs.length === 0 || !ipaddr.isValid(text)) return false;
    let addr = ipaddr.parse(text);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    return cidrs.some(([range, bits]) => range.kind() === addr.kind() && (addr as ipaddr.IPv4).match(range, bits));
  };
}
