import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Policy files are the `*.yaml` and `*.yml` files of `policies_dir`. */
const POLICY_FILE = /\.ya?ml$/i;

/** Reads a UTF-8 file, or returns the errno code (`ENOENT`, `EACCES`, …) instead of throwing. */
export async function readText(file: string): Promise<string | { code: string }> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    return { code: (err as NodeJS.ErrnoException).code ?? 'EIO' };
  }
}

/**
 * The policy files of `dir`: `*.yaml` / `*.yml` regular files (symlinks followed), hidden files
 * and `configFile` excluded, sorted by name (code-point order). An unreadable directory is a message.
 */
export async function listPolicyFiles(
  dir: string,
  configFile: string,
): Promise<string[] | { message: string }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { message: `policies directory not found: ${dir}` };
    if (code === 'ENOTDIR') return { message: `not a directory: ${dir}` };
    return { message: `cannot read policies directory ${dir} (${code ?? 'EIO'})` };
  }
  const files: string[] = [];
  for (const name of names.filter((n) => POLICY_FILE.test(n) && !n.startsWith('.')).sort()) {
    const full = path.join(dir, name);
    if (full === configFile) continue;
    const info = await stat(full).catch(() => undefined);
    if (info?.isFile() === true) files.push(full);
  }
  return files;
}
