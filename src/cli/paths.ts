import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json is), found from this file's location in src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** The demo configuration shipped with the package: `config/gatehouse.yaml`. */
export function demoConfigFile(): string {
  return path.join(packageRoot(), 'config', 'gatehouse.yaml');
}
