import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A minimal valid main config: one identity provider. */
export const BASE_CONFIG = `public_url: https://gate.example.test
identity_providers:
  - id: corp
    issuer: https://idp.example.test
    client_id: gatehouse
`;

/** A minimal valid policy file: one public route. */
export const BASE_ROUTES = `routes:
  - id: home
    upstream: http://127.0.0.1:9000
    policy: public
`;

/** A temporary `config/` + `policies/` tree for one test. */
export interface ConfigTree {
  readonly root: string;
  readonly configFile: string;
  readonly policiesDir: string;
  /** Writes a file relative to the root. */
  write(relative: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Creates `<tmp>/config/gatehouse.yaml` and `<tmp>/policies/<name>` from the given texts.
 * @param policies file name → YAML text; defaults to one valid route file.
 */
export async function makeConfigTree(
  config: string = BASE_CONFIG,
  policies: Readonly<Record<string, string>> = { '10-routes.yaml': BASE_ROUTES },
): Promise<ConfigTree> {
  const root = await mkdtemp(path.join(tmpdir(), 'gatehouse-config-'));
  await mkdir(path.join(root, 'config'));
  await mkdir(path.join(root, 'policies'));
  const tree: ConfigTree = {
    root,
    configFile: path.join(root, 'config', 'gatehouse.yaml'),
    policiesDir: path.join(root, 'policies'),
    async write(relative, text) {
      const file = path.join(root, relative);
      await writeFile(file, text);
      return file;
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
  await tree.write('config/gatehouse.yaml', config);
  for (const [name, text] of Object.entries(policies))
    await tree.write(path.join('policies', name), text);
  return tree;
}
