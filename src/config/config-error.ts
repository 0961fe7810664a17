import { GatewayError } from '../core/index.js';
import { formatProblem, type ConfigProblem } from './types.js';

/**
 * Turns the problems of a failed load into one {@link GatewayError} for callers that must
 * stop (startup, `gatehouse check`): `ERR_CONFIG_NOT_FOUND` when the main file is missing,
 * else `ERR_CONFIG_INVALID`. The message lists every problem, one per line (secret values
 * are never part of problems); `details.problems` holds the same lines.
 */
export function configError(problems: readonly ConfigProblem[]): GatewayError {
  const lines = problems.map(formatProblem);
  const notFound = problems.some((p) => p.code === 'ERR_CONFIG_NOT_FOUND');
  const errors = problems.filter((p) => p.severity === 'error').length;
  const head = notFound
    ? 'configuration file not found'
    : `invalid configuration (${errors} problem${errors === 1 ? '' : 's'})`;
  return new GatewayError(
    notFound ? 'ERR_CONFIG_NOT_FOUND' : 'ERR_CONFIG_INVALID',
    [head, ...lines].join('\n'),
    {
      details: { problems: lines },
    },
  );
}
