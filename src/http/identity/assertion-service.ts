import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Clock, Logger } from '../../core/index.js';
import type { AssertionConfig, GatewayConfig } from '../../config/index.js';
import {
  createAssertionSigner,
  generateKeyStore,
  keyStoreFromFiles,
  openKeyFile,
  type AssertionSigner,
  type KeyStore,
  type PublicJwks,
} from '../../headers/index.js';

/** The signing side of the identity assertion: keys, signer and JWKS; survives config reloads. */
export interface AssertionService {
  /** The signer of the current keys, or undefined when `assertion.enabled` is false. */
  signer(): AssertionSigner | undefined;
  /** The public JWKS (current, next and not yet expired former keys); no keys when disabled. */
  jwks(): PublicJwks;
  /**
   * Applies the `assertion` section (and `public_url`, the `iss`): reads the key files again
   * (so SIGHUP picks up rotated or replaced keys), creating `key_file` at first start.
   * Without any key file the keys are generated in memory once and kept across reloads.
   * On failure the previous keys stay in force.
   * @throws GatewayError `ERR_CONFIG_INVALID` naming the key file and the problem.
   */
  configure(config: GatewayConfig): Promise<void>;
  /** Stops watching the key file. */
  close(): void;
}

/** Dependencies of {@link createAssertionService}. */
export interface AssertionServiceDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Watch `assertion.key_file` and reload it when it changes (e.g. `gatehouse keys rotate`). Default true. */
  readonly watch?: boolean;
}

/** `iss` of assertions: the public URL without a trailing slash. */
export function assertionIssuer(config: GatewayConfig): string {
  return config.public_url.replace(/\/+$/, '');
}

function resolve(config: GatewayConfig, file: string): string {
  return path.resolve(path.dirname(config.configFile), file);
}

/**
 * Creates the assertion service. Keys come from, in order: `assertion.private_key_file`
 * (+ `publish_key_files`), keys you manage; `assertion.key_file`, a key store generated at
 * first start, rotated with `gatehouse keys rotate` and watched for changes; or, without
 * either, a key generated in memory at start (a restart changes it; fine for one instance
 * whose upstreams fetch the JWKS, not for several instances).
 */
export function createAssertionService(deps: AssertionServiceDeps): AssertionService {
  const { clock } = deps;
  const logger = deps.logger.child({ component: 'assertion' });
  let state: { signer: AssertionSigner; keys: KeyStore } | undefined;
  let ephemeral: KeyStore | undefined;
  let settings: { config: GatewayConfig; assertion: AssertionConfig } | undefined;
  let watcher: { file: string; handle: FSWatcher } | undefined;
  let debounce: NodeJS.Timeout | undefined;

  const install = (config: GatewayConfig, keys: KeyStore): void => {
    const a = config.assertion;
    const signer = createAssertionSigner({ issuer: assertionIssuer(config), keys, clock, ttlSeconds: a.ttl, algorithm: a.algorithm });
    state = { signer, keys };
    logger.info({ event: 'assertion.keys_loaded', kid: keys.current().kid, next: keys.next()?.kid, algorithm: a.algorithm }, 'assertion signing keys loaded');
  };

  const load = async (config: GatewayConfig): Promise<KeyStore> => {
    const a = config.assertion;
    if (a.private_key_file !== undefined) {
      return keyStoreFromFiles(resolve(config, a.private_key_file), a.publish_key_files.map((f) => resolve(config, f)), a.algorithm, clock);
    }
    if (a.key_file !== undefined) return openKeyFile(resolve(config, a.key_file), { algorithm: a.algorithm, clock });
    if (ephemeral?.algorithm !== a.algorithm) {
      ephemeral = await generateKeyStore(a.algorithm, { clock });
      logger.warn(
        { event: 'assertion.ephemeral_keys' },
        'assertion keys are generated in memory and change at restart; set assertion.key_file to keep them',
      );
    }
    return ephemeral;
  };

  const stopWatching = (): void => {
    watcher?.handle.close();
    watcher = undefined;
    if (debounce !== undefined) clearTimeout(debounce);
    debounce = undefined;
  };

  const reloadKeyFile = async (): Promise<void> => {
    const current = settings;
    if (current === undefined) return;
    try {
      install(current.config, await load(current.config));
    } catch (err) {
      logger.error({ event: 'assertion.keys_reload_failed', err }, 'could not reload the assertion key file; the previous keys stay in force');
    }
  };

  const watchKeyFile = (config: GatewayConfig): void => {
    const keyFile = config.assertion.key_file;
    const file = keyFile === undefined || !config.assertion.enabled ? undefined : resolve(config, keyFile);
    if (watcher?.file === file) return;
    stopWatching();
    if (file === undefined || deps.watch === false) return;
    try {
      const handle = watch(path.dirname(file), { persistent: false }, (_event, name) => {
        if (name !== null && name !== path.basename(file)) return;
        if (debounce !== undefined) clearTimeout(debounce);
        debounce = setTimeout(() => {
          debounce = undefined;
          void reloadKeyFile();
        }, 100);
        debounce.unref();
      });
      handle.on('error', (err) => {
        logger.warn({ err }, 'watching the assertion key file failed; send SIGHUP after rotating keys');
      });
      watcher = { file, handle };
    } catch (err) {
      logger.warn({ err }, 'cannot watch the assertion key file; send SIGHUP after rotating keys');
    }
  };

  return {
    signer: () => (settings?.assertion.enabled === true ? state?.signer : undefined),
    jwks: () => (settings?.assertion.enabled === true && state !== undefined ? state.keys.publicJwks() : { keys: [] }),
    async configure(config) {
      if (config.assertion.enabled) install(config, await load(config));
      settings = { config, assertion: config.assertion };
      watchKeyFile(config);
    },
    close: stopWatching,
  };
}
