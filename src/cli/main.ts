#!/usr/bin/env node
/**
 * The `gatehouse` command. Without a subcommand it runs the demo, unless GATEHOUSE_CONFIG
 * names a configuration, in which case it starts the gateway with it.
 */
import { Command, Option } from 'commander';
import { readCliEnv } from '../config/index.js';
import { runCheck } from './check.js';
import { runDemo } from './demo.js';
import { runExplain } from './explain.js';
import { registerKeysCommands } from './keys.js';
import { runKeysRotateStorage } from './keys-rotate-storage.js';
import { runMfaList, runMfaReset } from './mfa.js';
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

const collect = (value: string, previous: string[]): string[] => [...previous, value];
program
  .command('explain <method> <url>')
  .description('show the canonical URL, the route, each rule and the decision for one request; exit 0 allow, 2 otherwise')
  .addOption(configOption())
  .option('--user <sub>', 'subject (sub) of the user')
  .option('--email <email>', 'email of the user')
  .option('--group <group>', 'a group of the user (repeatable)', collect, [])
  .option('--claim <path=value>', 'a claim (repeatable; dotted paths nest)', collect, [])
  .option('--mfa', 'the user has just passed MFA')
  .option('--ip <address>', 'client address for source_ip rules', '127.0.0.1')
  .action(
    async (
      method: string,
      url: string,
      opts: { config: string; user?: string; email?: string; group: string[]; claim: string[]; mfa?: boolean; ip: string },
    ) => {
      exitWith(
        await runExplain(opts.config, {
          method,
          url,
          groups: opts.group,
          claims: opts.claim,
          ip: opts.ip,
          ...(opts.user === undefined ? {} : { user: opts.user }),
          ...(opts.email === undefined ? {} : { email: opts.email }),
          ...(opts.mfa === undefined ? {} : { mfa: opts.mfa }),
        }),
      );
    },
  );

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

const mfa = program.command('mfa').description("inspect and reset users' MFA factors in the configured factor store");
mfa
  .command('list <user>')
  .description('list the MFA factors of a user (its sub) and unused recovery codes; never secrets')
  .addOption(configOption())
  .option('--issuer <url>', 'issuer of the user (default: the first identity provider)')
  .action(async (user: string, opts: { config: string; issuer?: string }) => {
    exitWith(await runMfaList(opts.config, user, opts.issuer));
  });
mfa
  .command('reset <user>')
  .description('remove all MFA factors and recovery codes of a user (its sub) and lift a lockout; audited')
  .addOption(configOption())
  .option('--issuer <url>', 'issuer of the user (default: the first identity provider)')
  .action(async (user: string, opts: { config: string; issuer?: string }) => {
    exitWith(await runMfaReset(opts.config, user, opts.issuer));
  });

registerKeysCommands(program)
  .command('rotate-storage')
  .description('re-encrypt stored MFA secrets under mfa.current_key_id')
  .addOption(configOption())
  .action(async (opts: { config: string }) => {
    exitWith(await runKeysRotateStorage(opts.config));
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
