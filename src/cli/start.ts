import { startGateway, ConfigInvalidError, type RunningGateway } from '../main.js';
import { formatProblem } from '../config/index.js';
import { err } from './output.js';

/**
 * Starts the gateway with a configuration file and wires SIGHUP (reload) and SIGINT/SIGTERM
 * (graceful stop). An invalid configuration prints one line per problem and exits 1.
 */
export async function runStart(configFile: string): Promise<RunningGateway | undefined> {
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({ configFile });
  } catch (e) {
    if (e instanceof ConfigInvalidError) {
      for (const p of e.problems) err(formatProblem(p));
      err('gatehouse: configuration is invalid; not starting');
      process.exitCode = 1;
      return undefined;
    }
    throw e;
  }
  process.on('SIGHUP', () => {
    void gateway.reload();
  });
  const stop = (): void => {
    void gateway.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return gateway;
}
