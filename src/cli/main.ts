#!/usr/bin/env node
/**
 * The `gatehouse` command. Without a subcommand it runs the demo, unless GATEHOUSE_CONFIG
 * names a configuration, in which case it starts the gateway with it.
 */
import { Command, Option } from 'commander';
import { readCliEnv } from '../config/index.js';
import { runCheck } from './check.js';
import { runDemo } from './demo.js';
import { err } from './output.js';
import { runSessionsList, runSessionsRevoke } from './sessions.js';
import { runStart } from './start.js';

const DEFAULT_CONFIG = 'config/gatehouse.yaml';

function configOption(): Option {
  const fromEnv = readCliEnv().configFile;
  return new Option('-c, --config <file>', 'configuration file (env GATEHOUSE_CONFIG)').default(fromEnv ?? DEFAULT_CONFIG);
}

function exitWith(code: number): void {
  process.exitCode = code;
}

const program = new Command('gatehouse')
  .description('Identity-aware reverse proxy: single sign-on, route policies and verified identity at the edge')
  .showHelpAfterError();

program
  .command('start')
  .description('start the gateway')
  .addOption(configOption())
  .action(async (opts: { config: string }) => {
    await runStart(opts.config);
  });

program
  .command('check')
  .description('validate the configuration and policies; exit 1 on any error')
  .addOption(configOption())
  .action(async (opts: { config: string }) => {
    exitWith(await runCheck(opts.config));
  });

program
  .command('demo')
  .description('run the demo: development IdP, echo upstream and the gateway on http://localhost:8080')
  .action(async () => {
    await runDemo();
  });

const sessions = program.command('sessions').description('inspect and revoke sessions in the configured store');
sessions
  .command('list <user>')
  .description('list live sessions of a user (its sub)')
  .addOption(configOption())
  .option('--issuer <url>', 'issuer of the user (default: the first identity provider)')
  .action(async (user: string, opts: { config: string; issuer?: string }) => {
    exitWith(await runSessionsList(opts.config, user, opts.issuer));
  });
sessions
  .command('revoke <userOrSession>')
  .description('revoke a session by handle, or all sessions of a user (its sub)')
  .addOption(configOption())
  .option('--issuer <url>', 'issuer of the user (default: the first identity provider)')
  .action(async (target: string, opts: { config: string; issuer?: string }) => {
    exitWith(await runSessionsRevoke(opts.config, target, opts.issuer));
  });

async function main(argv: string[]): Promise<void> {
  if (argv.length <= 2) {
    const fromEnv = readCliEnv().configFile;
    if (fromEnv !== undefined) await runStart(fromEnv);
    else await runDemo();
    return;
  }
  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  err(`gatehouse: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
