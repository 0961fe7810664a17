import type { CanonicalRequest } from '../../core/index.js';
import { matchingPath } from '../canonical/path.js';
import type { RouteEntry } from '../compile/route.js';
import { firstSegmentOf } from './path-matcher.js';

/** Route indices (ascending = file order) of one host bucket, split by first path segment. */
class Bucket {
  readonly bySegment = new Map<string, number[]>();
  readonly bySegmentLower = new Map<string, number[]>();
  readonly rest: number[] = [];

  add(route: RouteEntry): void {
    const seg = route.pathMatcher.firstSegment;
    if (seg === undefined) push(this.rest, route.index);
    else
      push(
        getOrCreate(route.caseInsensitivePaths ? this.bySegmentLower : this.bySegment, seg),
        route.index,
      );
  }
}

function push(list: number[], index: number): void {
  if (list[list.length - 1] !== index) list.push(index);
}

function getOrCreate<K, V>(map: Map<K, V[]>, key: K): V[] {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = []));
  return v;
}

/**
 * Index for first-match-wins route lookup that does not scan every route: routes are
 * bucketed by host (exact name, wildcard suffix, any host) and, inside a bucket, by the
 * first path segment every request they match must have. A lookup visits only the candidate
 * lists for the request's host and first segment, each in file order, and keeps the lowest
 * route index that matches, so the result is the same as a scan of all routes in order.
 */
export class RouteIndex {
  readonly #routes: readonly RouteEntry[];
  readonly #exact = new Map<string, Bucket>();
  readonly #wildcard = new Map<string, Bucket>();
  readonly #any = new Bucket();
  readonly #hasCaseInsensitive: boolean;

  constructor(routes: readonly RouteEntry[]) {
    this.#routes = routes;
    for (const route of routes) {
      if (route.hostPatterns.length === 0) this.#any.add(route);
      for (const h of route.hostPatterns) {
        if (h.kind === 'any') this.#any.add(route);
        else if (h.kind === 'exact') getBucket(this.#exact, h.key).add(route);
        else getBucket(this.#wildcard, h.key).add(route);
      }
    }
    this.#hasCaseInsensitive = routes.some((r) => r.caseInsensitivePaths);
  }

  /** True when some route could serve `host` (canonical name, port ignored). */
  servesHost(host: string): boolean {
    if (
      this.#any.rest.length > 0 ||
      this.#any.bySegment.size > 0 ||
      this.#any.bySegmentLower.size > 0
    )
      return true;
    if (this.#exact.has(host)) return true;
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      if (dot > 0 && this.#wildcard.has(host.slice(dot))) return true;
    }
    return false;
  }

  /** First route in file order whose match holds. */
  match(req: CanonicalRequest): RouteEntry | undefined {
    const path = matchingPath(req.path, false);
    const ci = this.#hasCaseInsensitive;
    const lower = ci ? path.toLowerCase() : path;
    const seg = firstSegmentOf(path);
    const segLower = ci ? seg.toLowerCase() : seg;
    let best = this.#visit(this.#exact.get(req.host), req, path, lower, seg, segLower, NONE);
    if (this.#wildcard.size > 0) {
      const host = req.host;
      for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
        if (dot > 0)
          best = this.#visit(
            this.#wildcard.get(host.slice(dot)),
            req,
            path,
            lower,
            seg,
            segLower,
            best,
          );
      }
    }
    best = this.#visit(this.#any, req, path, lower, seg, segLower, best);
    return best === NONE ? undefined : this.#routes[best];
  }

  #visit(
    b: Bucket | undefined,
    req: CanonicalRequest,
    path: string,
    lower: string,
    seg: string,
    segLower: string,
    best: number,
  ): number {
    if (b === undefined) return best;
    let out = this.#scan(b.bySegment.get(seg), req, path, lower, best);
    if (b.bySegmentLower.size > 0)
      out = this.#scan(b.bySegmentLower.get(segLower), req, path, lower, out);
    return this.#scan(b.rest, req, path, lower, out);
  }

  #scan(
    list: readonly number[] | undefined,
    req: CanonicalRequest,
    path: string,
    lower: string,
    best: number,
  ): number {
    if (list === undefined) return best;
    for (const i of list) {
      if (i >= best) return best;
      if (this.#routes[i]?.matches(req, path, lower) === true) return i;
    }
    return best;
  }
}

/** No route found (greater than every index). */
const NONE = Number.MAX_SAFE_INTEGER;

function getBucket(map: Map<string, Bucket>, key: string): Bucket {
  let b = map.get(key);
  if (b === undefined) map.set(key, (b = new Bucket()));
  return b;
}
