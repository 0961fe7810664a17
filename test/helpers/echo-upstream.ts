/**
 * Test helper: the echo upstream (src/demo) on an ephemeral loopback port, plus a parser for
 * its answers.
 */
import { startEchoUpstream, type EchoResponse, type EchoUpstream } from '../../src/demo/index.js';

export type { EchoResponse, EchoUpstream };

/** Starts the echo upstream on 127.0.0.1 and a free port. Close it in `afterAll`. */
export function startTestEchoUpstream(): Promise<EchoUpstream> {
  return startEchoUpstream({ host: '127.0.0.1', port: 0 });
}

/** Parses an echo upstream answer body. */
export function parseEcho(body: string): EchoResponse {
  return JSON.parse(body) as EchoResponse;
}
