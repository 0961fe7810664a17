import { watch, readFileSync, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { EnvRecord } from './env-overrides.js';
import { loadConfig, type LoadResult } from './load-config.js';

/** Options of {@link watchConfig}. */
export interface WatchConfigOptions {
  /** Path of the main config file. */
  readonly configFile: string;
  /** Environment for references and overrides. Default: `process.env`. */
  readonly env?: EnvRecord;
  /**
   * Called with the result of every reload, in order, one at a time (the next reload waits
   * for a returned promise). The caller decides what to do: keep the last good config when
   * `ok` is false. Exceptions and rejections go to `onError`.
   */
  readonly onReload: (result: LoadResult) => void | Promise<void>;
  /** Quiet time after the last file event before reloading, in milliseconds. Default 200. */
  readonly debounceMs?: number;
  /** Receives watcher failures and `onReload` exceptions. Default: ignored. */
  readonly onError?: (error: unknown) => void;
}

/** A running watch on the config file and the policies directory. */
export interface ConfigWatcher {
  /**
   * Reloads now (for SIGHUP), bypassing the debounce, and calls `onReload` with the result
   * (unless closed). Resolves with the same result after `onReload` returned.
   */
  reload(): Promise<LoadResult>;
  /** Stops watching; pending debounced reloads are dropped. Idempotent. */
  close(): void;
}

const POLICY_FILE = /\.ya?ml$/i;

/**
 * Watches the main config file and its policies directory with `fs.watch` and reloads the
 * whole set after changes (debounced). Directories are watched rather than files, so editors
 * that save by writing a temporary file and renaming it over the original, and Kubernetes
 * ConfigMap volumes (`..data` symlink swaps), are seen. Secret files read through
 * `${file:…}` are not watched: send SIGHUP (call {@link ConfigWatcher.reload}) after rotating them.
 * When `policies_dir` changes, the watch follows it after the next successful load.
 * Nothing is loaded at start: load once with `loadConfig` before watching.
 */
export function watchConfig(options: WatchConfigOptions): ConfigWatcher {
  const configFile = path.resolve(options.configFile);
  const configDir = path.dirname(configFile);
  const configBase = path.basename(configFile);
  const debounceMs = options.debounceMs ?? 200;
  const onError = options.onError ?? ((): void => undefined);
  const watchers = new Map<string, FSWatcher>();
  let policiesDir = guessPoliciesDir(configFile);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  const relevant = (dir: string, filename: string | null): boolean => {
    if (filename === null || filename.startsWith('..')) return true; // unknown name, or a ConfigMap swap
    const name = path.basename(filename);
    return (
      (dir === configDir && name === configBase) || (dir === policiesDir && POLICY_FILE.test(name))
    );
  };

  const ensureWatch = (dir: string): void => {
    if (closed || watchers.has(dir)) return;
    try {
      const watcher = watch(dir, { persistent: false }, (_event, filename) => {
        if (relevant(dir, filename)) schedule();
      });
      watcher.on('error', (err) => {
        watcher.close();
        watchers.delete(dir);
        onError(err);
      });
      watchers.set(dir, watcher);
    } catch (err) {
      // A missing directory is reported by the next load; the watch is retried after it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') onError(err);
    }
  };

  const syncWatches = (): void => {
    for (const [dir, watcher] of watchers) {
      if (dir !== configDir && dir !== policiesDir) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    ensureWatch(configDir);
    ensureWatch(policiesDir);
  };

  const run = (): Promise<LoadResult> => {
    const next = chain.then(async () => {
      const result = await loadConfig(
        configFile,
        options.env === undefined ? {} : { env: options.env },
      );
      policiesDir = result.ok ? result.config.policiesDir : guessPoliciesDir(configFile);
      syncWatches();
      if (!closed) {
        try {
          await options.onReload(result);
        } catch (err) {
          onError(err);
        }
      }
      return result;
    });
    chain = next.catch(() => undefined);
    return next;
  };

  function schedule(): void {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      run().catch(onError);
    }, debounceMs);
  }

  syncWatches();
  return {
    reload(): Promise<LoadResult> {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      return run();
    },
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** Best-effort `policies_dir` from the config file without validating it (default `../policies`). */
function guessPoliciesDir(configFile: string): string {
  let setting: unknown;
  try {
    setting = parseDocument(readFileSync(configFile, 'utf8')).get('policies_dir');
  } catch {
    setting = undefined;
  }
  const dir = typeof setting === 'string' && !setting.includes('${') ? setting : '../policies';
  return path.resolve(path.dirname(configFile), dir);
}
