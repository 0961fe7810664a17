import path from 'node:path';
import type { z } from 'zod';
import { deepFreeze } from './deep-freeze.js';
import { applyEnvOverrides, type EnvOverride, type EnvRecord } from './env-overrides.js';
import { gatewayConfigSchema, type GatewayFileConfig } from './gateway-schema.js';
import {
  policyFileSchema,
  type PolicyBody,
  type PolicyFile,
  type RuleInput,
} from './policy-schema.js';
import { listPolicyFiles, readText } from './read-files.js';
import { resolveSecrets } from './secrets.js';
import { mainFacts, policyFacts } from './facts.js';
import { checkSemantics, type PolicyFacts } from './semantic-checks.js';
import type { ConfigProblem, GatewayConfig, LoadedRoute, SourcePosition } from './types.js';
import { locate, parseYamlSource, positionOfNode, type YamlSource } from './yaml-source.js';
import { DEFAULT_MESSAGE, issuesToProblems } from './zod-problems.js';

/**
 * Outcome of {@link loadConfig}: a frozen config and its warnings, or every problem found
 * (errors first by file and position, warnings included).
 */
export type LoadResult =
  | {
      readonly ok: true;
      readonly config: GatewayConfig;
      readonly warnings: readonly ConfigProblem[];
    }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** Environment for `${ENV}` references and `GATEHOUSE_*` overrides. Default: `process.env`. */
  readonly env?: EnvRecord;
}

/** A file that passed every per-file stage. */
interface ValidFile<T> {
  readonly source: YamlSource;
  readonly value: T;
}

interface FileOutcome<T> {
  readonly valid: ValidFile<T> | undefined;
  /** The parsed YAML, when it parsed. */
  readonly source: YamlSource | undefined;
  /** The raw top-level map, when the YAML parsed (used to find `policies_dir` on an invalid file). */
  readonly raw: Record<string, unknown> | undefined;
  readonly problems: ConfigProblem[];
}

/**
 * Loads `configFile` (the main `gatehouse.yaml`) and every policy file of its `policies_dir`
 * (default `../policies`, relative to the config file; files sorted by name), resolves
 * `${ENV}`/`${file:…}` references, applies `GATEHOUSE_*` environment overrides, validates
 * with the strict zod schemas, runs the cross-file checks and deep-freezes the result.
 * Durations come out in seconds. Every problem of every file is collected; none holds a
 * secret value.
 * @param configFile path of the main config file (relative paths from the process cwd).
 * @returns never rejects for bad content; a missing main file is a problem with
 *   `code: 'ERR_CONFIG_NOT_FOUND'`.
 */
export async function loadConfig(
  configFile: string,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const file = path.resolve(configFile);
  const secretValues = new Set<string>();

  const text = await readText(file);
  if (typeof text !== 'string') {
    const message =
      text.code === 'ENOENT' ? 'config file not found' : `cannot read config file (${text.code})`;
    const code = text.code === 'ENOENT' ? 'ERR_CONFIG_NOT_FOUND' : 'ERR_CONFIG_INVALID';
    return {
      ok: false,
      problems: [{ file, line: 0, column: 0, path: '', message, severity: 'error', code }],
    };
  }
  const main = await processFile<GatewayFileConfig>(
    file,
    text,
    gatewayConfigSchema,
    env,
    secretValues,
    true,
  );
  const problems = [...main.problems];

  const dirSetting = main.valid?.value.policies_dir ?? main.raw?.policies_dir;
  const policiesDir = path.resolve(
    path.dirname(file),
    typeof dirSetting === 'string' ? dirSetting : '../policies',
  );
  const listing = await listPolicyFiles(policiesDir, file);
  if (!Array.isArray(listing)) {
    const source = main.valid?.source;
    const pos =
      source === undefined
        ? { line: 0, column: 0 }
        : positionOfNode(source, locate(source, ['policies_dir']).node);
    problems.push({
      file,
      ...pos,
      path: 'policies_dir',
      message: listing.message,
      severity: 'error',
    });
  }
  const policyFiles = Array.isArray(listing) ? listing : [];
  const validPolicies: ValidFile<PolicyFile>[] = [];
  const facts: PolicyFacts[] = [];
  for (const policyFile of policyFiles) {
    const policyText = await readText(policyFile);
    if (typeof policyText !== 'string') {
      problems.push({
        file: policyFile,
        line: 0,
        column: 0,
        path: '',
        message: `cannot read file (${policyText.code})`,
        severity: 'error',
      });
      continue;
    }
    const outcome = await processFile<PolicyFile>(
      policyFile,
      policyText,
      policyFileSchema,
      env,
      secretValues,
      false,
    );
    problems.push(...outcome.problems);
    if (outcome.valid !== undefined) validPolicies.push(outcome.valid);
    if (outcome.source !== undefined && outcome.raw !== undefined) {
      facts.push(policyFacts(outcome.source, outcome.valid?.value, outcome.raw));
    }
  }
  const mainSide =
    main.source === undefined || main.raw === undefined
      ? undefined
      : mainFacts(main.source, main.valid?.value, main.raw);
  problems.push(
    ...checkSemantics(
      mainSide,
      facts,
      Array.isArray(listing) && facts.length === policyFiles.length,
    ),
  );

  const order = [file, ...policyFiles];
  const sorted = problems
    .map((p) => scrub(p, secretValues))
    .sort(
      (a, b) =>
        Number(a.severity === 'warning') - Number(b.severity === 'warning') ||
        order.indexOf(a.file) - order.indexOf(b.file) ||
        a.line - b.line ||
        a.column - b.column,
    );
  if (main.valid === undefined || sorted.some((p) => p.severity === 'error'))
    return { ok: false, problems: sorted };
  return {
    ok: true,
    config: assemble(main.valid.value, file, policiesDir, policyFiles, validPolicies),
    warnings: sorted,
  };
}

async function processFile<T>(
  file: string,
  text: string,
  schema: z.ZodType<T>,
  env: EnvRecord,
  secretValues: Set<string>,
  isMain: boolean,
): Promise<FileOutcome<T>> {
  const parsed = parseYamlSource(file, text);
  if (parsed.problems.length > 0)
    return { valid: undefined, source: undefined, raw: undefined, problems: parsed.problems };
  const { source } = parsed;
  const secrets = await resolveSecrets(source, env);
  for (const v of secrets.secretValues) secretValues.add(v);
  const problems = [...secrets.problems];
  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch {
    problems.push({
      file,
      line: 1,
      column: 1,
      path: '',
      message: 'YAML aliases expand too much',
      severity: 'error',
    });
    return { valid: undefined, source, raw: undefined, problems };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const { line, column } = positionOfNode(source, locate(source, []).node);
    const got = Array.isArray(raw) ? 'a list' : `a ${typeof raw}`;
    problems.push({
      file,
      line,
      column,
      path: '',
      message: `expected a map of settings at the top level, got ${got}`,
      severity: 'error',
    });
    return { valid: undefined, source, raw: undefined, problems };
  }
  const record = raw as Record<string, unknown>;
  const overrides: EnvOverride[] = isMain ? applyEnvOverrides(record, env) : [];
  const result = schema.safeParse(record, { error: () => DEFAULT_MESSAGE });
  if (!result.success) {
    const context = {
      source,
      schema,
      data: record,
      hiddenPaths: secrets.substitutedPaths,
      overrides,
    };
    const issueProblems = issuesToProblems(result.error.issues, context).filter(
      (p) => !secrets.failedPaths.has(p.path),
    );
    problems.push(...issueProblems);
  }
  const valid =
    result.success && problems.length === 0 ? { source, value: result.data } : undefined;
  return { valid, source, raw: record, problems };
}

function scrub(problem: ConfigProblem, secrets: ReadonlySet<string>): ConfigProblem {
  let message = problem.message;
  for (const secret of secrets)
    if (message.includes(secret)) message = message.split(secret).join('[redacted]');
  return message === problem.message ? problem : { ...problem, message };
}

function assemble(
  main: GatewayFileConfig,
  configFile: string,
  policiesDir: string,
  policyFiles: readonly string[],
  files: readonly ValidFile<PolicyFile>[],
): GatewayConfig {
  const routes: LoadedRoute[] = [];
  const policies: Record<string, PolicyBody> = {};
  const roles: Record<string, RuleInput[]> = {};
  const sources = {
    policies: {} as Record<string, SourcePosition>,
    roles: {} as Record<string, SourcePosition>,
  };
  for (const { source, value } of files) {
    (value.routes ?? []).forEach((route, i) => {
      routes.push({
        ...route,
        source: {
          file: source.file,
          ...positionOfNode(source, locate(source, ['routes', i]).node),
        },
      });
    });
    Object.assign(policies, value.policies ?? {});
    Object.assign(roles, value.roles ?? {});
    for (const section of ['policies', 'roles'] as const) {
      for (const name of Object.keys(value[section] ?? {})) {
        sources[section][name] = {
          file: source.file,
          ...positionOfNode(source, locate(source, [section, name]).node),
        };
      }
    }
  }
  const { policies_dir: _dir, ...rest } = main;
  const config: GatewayConfig = {
    ...rest,
    configFile,
    policiesDir,
    policyFiles,
    routes,
    policies,
    roles,
    sources,
  };
  return deepFreeze(config) as GatewayConfig;
}
