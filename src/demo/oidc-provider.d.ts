/**
 * DEVELOPMENT ONLY — minimal type declarations for `oidc-provider` 8 (the package ships none and
 * `@types/oidc-provider` is not installed). Only what `src/demo/` uses is declared.
 * @see https://github.com/panva/node-oidc-provider/blob/v8.x/docs/README.md
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  /** The parts of the Koa context with OIDC state that the demo's hooks read or write. */
  export interface KoaContextWithOIDC {
    body: unknown;
    type: string;
    status: number;
    host: string;
    oidc: {
      readonly client?: { readonly clientId: string; readonly clientName?: string };
      readonly entities: Readonly<Record<string, unknown>>;
    };
  }

  /** Account as returned by `findAccount` (claims per `use`: `id_token` or `userinfo`). */
  export interface Account {
    accountId: string;
    claims(
      use: string,
      scope: string,
      claims: unknown,
      rejected: string[],
    ): Promise<Record<string, unknown>>;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    post_logout_redirect_uris?: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    require_auth_time?: boolean;
    client_name?: string;
  }

  export interface ClientLike {
    readonly clientId: string;
    grantTypeAllowed(type: string): boolean;
  }

  export type TtlValue =
    number | ((ctx: KoaContextWithOIDC, token: unknown, client: unknown) => number);

  export interface Configuration {
    clients?: ClientMetadata[];
    findAccount?: (
      ctx: KoaContextWithOIDC,
      sub: string,
      token?: unknown,
    ) => Promise<Account | undefined>;
    claims?: Record<string, null | string[]>;
    scopes?: string[];
    conformIdTokenClaims?: boolean;
    cookies?: {
      keys?: string[];
      long?: { httpOnly?: boolean; sameSite?: 'lax' | 'strict' | 'none'; secure?: boolean };
      short?: { httpOnly?: boolean; sameSite?: 'lax' | 'strict' | 'none'; secure?: boolean };
    };
    features?: Record<string, Record<string, unknown>>;
    interactions?: {
      url?: (ctx: KoaContextWithOIDC, interaction: { uid: string }) => string | Promise<string>;
    };
    issueRefreshToken?: (
      ctx: KoaContextWithOIDC,
      client: ClientLike,
      code: unknown,
    ) => boolean | Promise<boolean>;
    rotateRefreshToken?: boolean | ((ctx: KoaContextWithOIDC) => boolean);
    jwks?: { keys: Record<string, unknown>[] };
    pkce?: { methods?: string[]; required?: (ctx: KoaContextWithOIDC, client: unknown) => boolean };
    responseTypes?: string[];
    renderError?: (
      ctx: KoaContextWithOIDC,
      out: Record<string, string>,
      error: Error,
    ) => void | Promise<void>;
    ttl?: Record<string, TtlValue>;
    clockTolerance?: number;
    extraTokenClaims?: (
      ctx: KoaContextWithOIDC,
      token: { readonly accountId?: string },
    ) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
  }

  /** oidc-provider's OAuth errors (only those the demo throws). */
  export const errors: {
    InvalidTarget: new (description?: string) => Error;
  };

  export interface InteractionDetails {
    readonly uid: string;
    readonly prompt: {
      readonly name: string;
      readonly reasons: string[];
      readonly details: {
        readonly missingOIDCScope?: string[];
        readonly missingOIDCClaims?: string[];
        readonly missingResourceScopes?: Record<string, string[]>;
      };
    };
    readonly params: Readonly<Record<string, unknown>>;
    readonly session?: { readonly accountId: string };
    readonly grantId?: string;
  }

  export interface InteractionResults {
    login?: { accountId: string; amr?: string[]; acr?: string; remember?: boolean; ts?: number };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    proxy: boolean;
    readonly Grant: typeof Grant;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
    off(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default Provider;
}
