import type { IncomingHttpHeaders } from 'node:http';
import type { Identity } from '../core/index.js';

/**
 * Compiled header rules: which inbound headers to strip and which identity headers to
 * inject. Built once at config load.
 */
export interface HeaderShaper {
  /**
   * Returns a copy of `headers` without: every identity/assertion header the gateway sets
   * (any case, `_` or `-`), the URL-rewrite headers unless `allowRewriteHeaders`,
   * and the gateway's own cookies (other cookies kept).
   */
  strip(headers: IncomingHttpHeaders, options: { allowRewriteHeaders: boolean }): IncomingHttpHeaders;
  /** Adds the identity headers for `identity` to `headers` (mutates and returns it). */
  inject(headers: IncomingHttpHeaders, identity: Identity): IncomingHttpHeaders;
}
