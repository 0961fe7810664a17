import ipaddr from 'ipaddr.js';
import { list, yesNo, type CompileScope, type Criterion } from './criterion.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Parses a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address (`/32` or `/128`).
 * IPv4 must be four-part decimal (no `10/8` or `0x0a.0.0.0` shorthands).
 * @returns the range, or undefined when invalid.
 */
export function parseRange(text: string): Range | undefined {
  const t = text.trim();
  if (t.includes('/')) {
    if (ipaddr.IPv4.isValidCIDRFourPartDecimal(t)) return ipaddr.IPv4.parseCIDR(t);
    if (!t.includes('.') && ipaddr.IPv6.isValidCIDR(t)) return ipaddr.IPv6.parseCIDR(t);
    return undefined;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) return [ipaddr.IPv4.parse(t), 32];
  if (!t.includes('.') && ipaddr.IPv6.isValid(t)) return [ipaddr.IPv6.parse(t), 128];
  return undefined;
}

/**
 * `source_ip`: the client address (`req.clientIp`, after trusted-proxy handling) is in one of
 * the listed CIDR ranges. IPv4-mapped IPv6 clients (`::ffff:10.1.2.3`) are compared as IPv4.
 * An unparseable client address throws, which denies (fail closed).
 */
export function compileSourceIp(
  values: readonly string[],
  scope: CompileScope,
  key: string,
): Criterion {
  const ranges: Range[] = [];
  values.forEach((v, i) => {
    const r = parseRange(v);
    if (r === undefined)
      scope.problem(
        `${key}[${i}]`,
        `invalid CIDR ${JSON.stringify(v)}: use e.g. 10.0.0.0/8 or 2001:db8::/32`,
      );
    else ranges.push(r);
  });
  const test = (clientIp: string): boolean => {
    const addr = ipaddr.process(clientIp);
    const kind = addr.kind();
    return ranges.some(([range, bits]) => range.kind() === kind && addr.match(range, bits));
  };
  return Object.freeze({
    kind: 'source_ip' as const,
    needsIdentity: false,
    failReason: 'source-ip-denied' as const,
    denyReason: 'source-ip-denied' as const,
    test: (input) => test(input.req.clientIp),
    describe: (input, held) =>
      `source_ip in ${list(values)}: ${yesNo(held)} (${input.req.clientIp})`,
  } satisfies Criterion);
}
