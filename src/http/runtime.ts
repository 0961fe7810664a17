import type { IncomingMessage } from 'node:http';
import type { Clock, Logger } from '../core/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { RouteTable } from '../policy/index.js';
import type { SessionStore } from '../session/index.js';
import type { RelyingParty } from '../oidc/index.js';
import type { HeaderShaper } from '../headers/index.js';
import type { Forwarder } from '../proxy/index.js';
import type { MfaService } from '../mfa/index.js';
import type { ClientInfo } from './client-address.js';
import type { RedirectScope } from './redirect-target.js';
import type { UpstreamIdentity } from './identity/upstream-identity.js';
import type { AssertionService } from './identity/assertion-service.js';

/** Reads and writes the session cookie (built by main.ts from the session module's codec). */
export interface SessionCookie {
  /** Cookie name as sent by browsers (with `__Host-` prefix when used). */
  readonly name: string;
  /** The session id from a `Cookie` header, or undefined. Never throws. */
  read(cookieHeader: string | undefined): string | undefined;
  /** A `Set-Cookie` value for a session id; `maxAgeSeconds` in seconds. */
  serialize(id: string, maxAgeSeconds: number): string;
  /** A `Set-Cookie` value that deletes the cookie. */
  clear(): string;
}

/**
 * Everything compiled from one configuration. Replaced as a whole on hot reload; a request
 * reads it once at its start, so requests in flight finish under the set they began with.
 */
export interface GatewayRuntime {
  readonly config: GatewayConfig;
  readonly publicUrl: URL;
  readonly routes: RouteTable;
  readonly shaper: HeaderShaper;
  readonly clientInfo: (req: IncomingMessage) => ClientInfo;
  readonly redirectScope: RedirectScope;
  readonly relyingParties: ReadonlyMap<string, RelyingParty>;
  /** Id of the identity provider used when a route names none (the first configured). */
  readonly defaultIdp: string;
  readonly sessionCookie: SessionCookie;
  /** Secure attribute for cookies the gateway sets (public URL is https). */
  readonly secureCookies: boolean;
  /** Per-route header mapping, assertion audience, bearer verifiers, trusted-peer check. */
  readonly upstreamIdentity: UpstreamIdentity;
}

/** Long-lived services that survive reloads. */
export interface GatewayServices {
  readonly store: SessionStore;
  readonly forwarder: Forwarder;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Where access-decision audit events go. Their shape is fixed (http/audit.ts) and holds no
   * secret, so this logger skips the redaction pass that costs tens of microseconds per line.
   */
  readonly audit: Logger;
  /** Gatehouse's own MFA (TOTP), when the `mfa:` section is configured. */
  readonly mfa?: MfaService;
  /** Signing keys, signer and JWKS of the identity assertion (reloaded with the config and key file). */
  readonly assertions: AssertionService;
}

/** Holder of the current runtime; `current()` is read once per request. */
export interface RuntimeHolder {
  current(): GatewayRuntime;
}
