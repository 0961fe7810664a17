import { Command, Option } from 'commander';
import { parseDurationSeconds, readCliEnv } from '../config/index.js';
import { GatewayError } from '../core/index.js';
import { listAssertionKeys, rotateAssertionKeys } from '../main.js';
import { err, out } from './output.js';

function time(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function configOption(): Option {
  return new Option('-c, --config <file>', 'configuration file (env GATEHOUSE_CONFIG)').default(
    readCliEnv().configFile ?? 'config/gatehouse.yaml',
  );
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    if (!(e instanceof GatewayError)) throw e;
    err(`gatehouse keys: ${e.message}`);
    process.exitCode = 1;
  }
}

/**
 * `gatehouse keys rotate [--publish-for 15m]`: publishes a new assertion signing key in
 * `assertion.key_file` and schedules it to sign after the publication period; the former
 * key stays published until its assertions expired.
 * Sets `process.exitCode` 1 for an invalid configuration or a rotation in progress.
 */
export async function runKeysRotate(configFile: string, publishFor: string): Promise<void> {
  const seconds = parseDurationSeconds(publishFor);
  if (seconds === undefined) {
    err(`gatehouse keys rotate: --publish-for "${publishFor}" is not a duration (e.g. 15m, 0)`);
    process.exitCode = 1;
    return;
  }
  await run(async () => {
    const r = await rotateAssertionKeys(configFile, { publishForSeconds: seconds });
    out(`published the next assertion key ${r.nextKid} in ${r.file}`);
    out(`  it signs from  ${time(r.activatesAt)}`);
    out(`  the current key ${r.currentKid} signs until then and stays published until ${time(r.retiredUntil)}`);
    out('running gateways pick up the file by themselves (file watch); otherwise send them SIGHUP now');
  });
}

/** `gatehouse keys list`: the assertion keys (kid, state, times); never key material. */
export async function runKeysList(configFile: string): Promise<void> {
  await run(async () => {
    const listing = await listAssertionKeys(configFile);
    out(`${listing.algorithm} keys from ${listing.source}`);
    out('STATE     KID                                            WHEN');
    for (const k of listing.keys) {
      const when =
        k.activatesAt !== undefined
          ? `signs from ${time(k.activatesAt)}`
          : k.publishedUntil !== undefined
            ? `published until ${time(k.publishedUntil)}`
            : k.state === 'current'
              ? 'signs now'
              : 'published';
      out(`${k.state.padEnd(9)} ${k.kid.padEnd(46)} ${when}`);
    }
  });
}

/**
 * Registers the `keys` command group (creating it, or reusing one another module created)
 * with `rotate` and `list`; returns the group so other subcommands can be added to it.
 */
export function registerKeysCommands(program: Command): Command {
  const keys =
    program.commands.find((c) => c.name() === 'keys') ??
    program.command('keys').description('manage the gateway\'s keys (assertion signing keys)');
  keys
    .command('rotate')
    .description('publish a new assertion signing key now; it signs after --publish-for, the old key stays published until its assertions expired')
    .addOption(configOption())
    .option('--publish-for <duration>', 'how long the new key is published before it signs (verifiers refresh their JWKS meanwhile)', '15m')
    .action(async (opts: { config: string; publishFor: string }) => {
      await runKeysRotate(opts.config, opts.publishFor);
    });
  keys
    .command('list')
    .description('list the assertion keys: current, next (with its activation time) and former keys still published')
    .addOption(configOption())
    .action(async (opts: { config: string }) => {
      await runKeysList(opts.config);
    });
  return keys;
}
