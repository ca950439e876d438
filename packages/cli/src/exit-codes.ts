import { TdhookError } from '@tdhook/core';

import { PluginError } from './plugins/plugin-error.js';
import { UsageError } from './usage-error.js';

/**
 * The exit codes of `tdhook`, as the README's table documents them.
 *
 * @example
 * process.exitCode = exitCodes.usage;
 */
export const exitCodes: {
  readonly ok: 0;
  readonly failed: 1;
  readonly usage: 2;
  readonly plugin: 3;
} = Object.freeze({
  /** Done (warnings, if any, were printed on stderr). */
  ok: 0,
  /** The work failed: a model, image, layer or output file problem, or a method that failed while running or refused its `--options`. */
  failed: 1,
  /** The command line cannot run as written: unknown command, option or method, a bad or out-of-range value. */
  usage: 2,
  /** A `--plugin` module cannot be loaded or used: missing, failing, no method factories, wrong contract, duplicate id, or a plugin's method that is no image attribution. */
  plugin: 3,
});

/** What a failed command prints (one line, after `tdhook <command>: ` or `tdhook: `) and exits with. */
export interface Failure {
  readonly code: number;
  readonly line: string;
  /** A usage failure points to the command's help. */
  readonly usage: boolean;
}

// Node's unknown-option message goes on about positionals after '--'; its first sentence is the point.
const firstSentence = (message: string): string =>
  message.replace(/(Unknown option '[^']*')\. To specify .*$/s, '$1').replace(/\s*\n\s*/g, ' ');

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

/**
 * Sorts an error into its exit code and one line of text.
 *
 * @example
 * const { code, line } = failureOf(new UsageError('--model <dir> is required')); // 2
 */
export function failureOf(error: unknown): Failure {
  if (
    error instanceof UsageError ||
    (error as { code?: string } | null)?.code?.startsWith('ERR_PARSE_ARGS') === true
  ) {
    return { code: exitCodes.usage, line: firstSentence((error as Error).message), usage: true };
  }
  if (error instanceof PluginError)
    return { code: exitCodes.plugin, line: oneLine(error.message), usage: false };
  // E_CV_METHOD is a plugin's fault only when a plugin's method ran: `tdhook explain` makes that one a
  // PluginError; for a built-in reconfigured by --options it is a failed run like any other.
  if (TdhookError.is(error)) return { code: exitCodes.failed, line: oneLine(error.message), usage: false };
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: exitCodes.failed,
    line: `unexpected error: ${oneLine(message)} (TDHOOK_DEBUG=1 prints the stack trace)`,
    usage: false,
  };
}
