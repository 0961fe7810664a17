/** Writes a line to stdout (CLI output is the product here, not logging). */
export function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}
