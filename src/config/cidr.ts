import ipaddr from 'ipaddr.js';

/** A parsed `address` or `address/prefix`. */
export interface CidrCheck {
  /** The network in canonical form, e.g. `10.0.0.0/8`, `2001:db8::/32`. */
  readonly network: string;
  /** True when the address has bits set beyond the prefix (`10.0.0.1/8`). */
  readonly hostBitsSet: boolean;
}

/**
 * Parses an IPv4/IPv6 address or CIDR block strictly: IPv4 only in four-part decimal form,
 * prefix 0–32 (IPv4) or 0–128 (IPv6); a bare address is a /32 or /128.
 * @returns `undefined` when `text` is not an address or CIDR block.
 * @see https://www.rfc-editor.org/rfc/rfc4632#section-3.1 (prefix notation)
 */
export function parseCidr(text: string): CidrCheck | undefined {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  let kind: 'ipv4' | 'ipv6';
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) kind = 'ipv4';
  else if (ipaddr.IPv6.isValid(addr) && !addr.includes('%')) kind = 'ipv6';
  else return undefined;
  const max = kind === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return undefined;
  const cidr = `${addr}/${prefix}`;
  const network =
    kind === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  const address = ipaddr.parse(addr);
  return {
    network: `${network.toString()}/${prefix}`,
    hostBitsSet: network.toString() !== address.toString(),
  };
}
