import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanonicalRequest } from '../../core/index.js';
import type { GatewayRuntime, GatewayServices } from '../runtime.js';

/** What every reserved endpoint handler receives. */
export interface EndpointContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly creq: CanonicalRequest;
  readonly rt: GatewayRuntime;
  readonly services: GatewayServices;
  readonly requestId: string;
  /** Query parameters of the canonical request. */
  readonly query: URLSearchParams;
  readonly browser: boolean;
}

/** A reserved endpoint under `/.gatehouse/`. */
export type EndpointHandler = (ctx: EndpointContext) => Promise<void>;
