import { GatewayError } from '../../core/index.js';
import { formatProblem, type ConfigProblem, type SourcePosition } from '../../config/index.js';
import type { CompileScope } from '../criteria/index.js';

/** Position used when the configuration did not say where something was defined. */
export const UNKNOWN_POSITION: SourcePosition = Object.freeze({
  file: '<config>',
  line: 0,
  column: 0,
});

/** Collects configuration problems, without duplicates, in the order found. */
export class ProblemCollector {
  readonly problems: ConfigProblem[] = [];
  readonly #seen = new Set<string>();

  add(
    pos: SourcePosition,
    path: string,
    message: string,
    severity: ConfigProblem['severity'] = 'error',
  ): void {
    const p: ConfigProblem = {
      file: pos.file,
      line: pos.line,
      column: pos.column,
      path,
      message,
      severity,
    };
    const key = formatProblem(p);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.problems.push(p);
  }

  /** A compile scope whose problems land at `pos` (criteria report full key paths). */
  scope(pos: SourcePosition, opts: Omit<CompileScope, 'problem'>): CompileScope {
    return {
      ...opts,
      problem: (key, message) => {
        this.add(pos, key, message);
      },
    };
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  /**
   * Throws when errors were collected.
   * @throws GatewayError ERR_CONFIG_INVALID with `details.problems: ConfigProblem[]`
   */
  throwIfErrors(what: string): void {
    if (!this.hasErrors) return;
    const errors = this.problems.filter((p) => p.severity === 'error');
    const shown = errors.slice(0, 5).map(formatProblem).join('\n');
    const more = errors.length > 5 ? `\n… and ${errors.length - 5} more` : '';
    throw new GatewayError('ERR_CONFIG_INVALID', `invalid ${what}:\n${shown}${more}`, {
      details: { problems: this.problems },
    });
  }
}
