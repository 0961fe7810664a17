/**
 * The benchmark baseline: a bare http-proxy reverse proxy with a keep-alive agent and nothing
 * else (no routing, no identity, no header shaping). Gatehouse's overhead is measured against it.
 */
import http from 'node:http';
import { listenOnLoopback } from './loopback-server.js';
import HttpProxy from 'http-proxy';

/** A running bare proxy. */
export interface BareProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Stops listening, closes client connections and the upstream pool. */
  close(): Promise<void>;
}

/** Options for {@link startBareProxy}. */
export interface BareProxyOptions {
  /** Upstream origin, e.g. the URL from `startBenchUpstream()`. */
  readonly upstream: string | URL;
  /** Most sockets to the upstream. Default: 256. */
  readonly maxSockets?: number;
}

/**
 * Starts a plain http-proxy on an ephemeral loopback port forwarding everything to `upstream`
 * over a keep-alive agent. Upstream failures are answered with a bare 502.
 */
export async function startBareProxy(options: BareProxyOptions): Promise<BareProxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const proxy = HttpProxy.createProxyServer({ target: String(options.upstream), agent });
  proxy.on('error', (_err, _req, res) => {
    if (res instanceof http.ServerResponse && !res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('bad gateway');
    } else {
      res.destroy();
    }
  });
  const server = await listenOnLoopback((req, res) => {
    proxy.web(req, res);
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      agent.destroy();
    },
  };
}
