import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchConfig, type ConfigWatcher, type LoadResult } from '../../../src/config/index.js';
import { BASE_CONFIG, BASE_ROUTES, makeConfigTree, type ConfigTree } from './config-tree.js';

/** Collects reload results; `next()` resolves with the next one, or fails after a bounded wait. */
function recorder(): {
  onReload: (r: LoadResult) => void;
  next: (timeoutMs?: number) => Promise<LoadResult>;
  count: () => number;
} {
  const results: LoadResult[] = [];
  const waiters: ((r: LoadResult) => void)[] = [];
  let taken = 0;
  return {
    onReload(result) {
      results.push(result);
      waiters.shift()?.(results[taken++]!);
    },
    next(timeoutMs = 5000) {
      if (taken < results.length) return Promise.resolve(results[taken++]!);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no reload within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    count: () => results.length,
  };
}

const routeIds = (r: LoadResult): string[] => (r.ok ? r.config.routes.map((x) => x.id) : []);

let tree: ConfigTree | undefined;
let watcher: ConfigWatcher | undefined;
afterEach(async () => {
  watcher?.close();
  watcher = undefined;
  await tree?.remove();
  tree = undefined;
});

describe('watchConfig', () => {
  it('reloads after a policy file changes', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 20,
    });
    await tree.write('policies/10-routes.yaml', BASE_ROUTES.replace('id: home', 'id: changed'));
    const result = await rec.next();
    expect(result.ok).toBe(true);
    expect(routeIds(result)).toEqual(['changed']);
  });

  it('reloads when a new policy file appears and when one is removed', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 20,
    });
    await tree.write('policies/20-more.yml', BASE_ROUTES.replace('id: home', 'id: more'));
    let result = await rec.next();
    while (routeIds(result).length !== 2) result = await rec.next(); // a create can emit several events
    expect(routeIds(result)).toEqual(['home', 'more']);
    await rm(path.join(tree.policiesDir, '20-more.yml'));
    do result = await rec.next();
    while (routeIds(result).length !== 1);
    expect(routeIds(result)).toEqual(['home']);
  });

  it('reloads when the config file is replaced by rename (editor save)', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 20,
    });
    const tmp = await tree.write(
      'config/.gatehouse.yaml.swp',
      `${BASE_CONFIG}listen:\n  port: 9999\n`,
    );
    await rename(tmp, tree.configFile);
    const result = await rec.next();
    expect(result.ok && result.config.listen.port).toBe(9999);

    // The watch survives the replacement: a second save is seen as well.
    const tmp2 = await tree.write(
      'config/.gatehouse.yaml.swp',
      `${BASE_CONFIG}listen:\n  port: 9998\n`,
    );
    await rename(tmp2, tree.configFile);
    let second = await rec.next();
    while (second.ok && second.config.listen.port === 9999) second = await rec.next();
    expect(second.ok && second.config.listen.port).toBe(9998);
  });

  it('hands an invalid set to the caller with its problems (the caller keeps the last good one)', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 20,
    });
    await tree.write('policies/10-routes.yaml', 'routes:\n  - id: x\n');
    const result = await rec.next();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.map((p) => p.path)).toEqual([
      'routes[0].upstream',
      'routes[0].policy',
    ]);
  });

  it('debounces a burst of writes into one reload', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 150,
    });
    for (let i = 0; i < 5; i++)
      await tree.write('policies/10-routes.yaml', BASE_ROUTES.replace('id: home', `id: burst${i}`));
    const result = await rec.next();
    expect(routeIds(result)).toEqual(['burst4']);
    // SIGHUP-style reload right after: exactly one more result, so the burst produced one reload.
    const forced = await watcher.reload();
    expect(routeIds(forced)).toEqual(['burst4']);
    expect(rec.count()).toBe(2);
  });

  it('reload() loads immediately, calls onReload and resolves with the same result', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: { GATEHOUSE_LOG_LEVEL: 'warn' },
      onReload: rec.onReload,
    });
    const result = await watcher.reload();
    expect(result.ok && result.config.logging.level).toBe('warn');
    expect(await rec.next(0)).toBe(result);
  });

  it('does not call onReload after close()', async () => {
    tree = await makeConfigTree();
    const rec = recorder();
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      onReload: rec.onReload,
      debounceMs: 20,
    });
    watcher.close();
    const result = await watcher.reload();
    expect(result.ok).toBe(true);
    expect(rec.count()).toBe(0);
  });

  it('reports onReload failures to onError and keeps watching', async () => {
    tree = await makeConfigTree();
    const errors: unknown[] = [];
    const rec = recorder();
    let first = true;
    watcher = watchConfig({
      configFile: tree.configFile,
      env: {},
      debounceMs: 20,
      onError: (e) => errors.push(e),
      onReload: (r) => {
        if (first) {
          first = false;
          throw new Error('consumer failed');
        }
        rec.onReload(r);
      },
    });
    await watcher.reload();
    expect(errors).toHaveLength(1);
    await writeFile(
      path.join(tree.policiesDir, '10-routes.yaml'),
      BASE_ROUTES.replace('id: home', 'id: after'),
    );
    expect(routeIds(await rec.next())).toEqual(['after']);
  });
});
