import { TdhookError } from '@tdhook/core';

import { explainCommand } from './commands/explain.js';
import { infoCommand } from './commands/info.js';
import type { Io } from './commands/io.js';
import { mainHelp } from './help.js';
import { UsageError } from './usage-error.js';

const commands: Readonly<Record<string, (argv: readonly string[], io: Io) => Promise<number>>> = {
  explain: explainCommand,
  info: infoCommand,
};

/**
 * Runs the `tdhook` command line and returns its exit code: 0 on success, 1 when the work failed (a bad
 * model, image or layer: one line on stderr saying what and how to fix it), 2 for a command line that
 * cannot run as written.
 *
 * @example
 * process.exitCode = await run(['info', '--model', 'models/mnist-cnn']);
 */
export async function run(argv: readonly string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(mainHelp);
    return command === undefined ? 2 : 0;
  }
  const handler = commands[command];
  try {
    if (handler === undefined) throw new UsageError(`unknown command '${command}' (commands: explain, info)`);
    return await handler(rest, io);
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true
    ) {
      const hint = handler === undefined ? 'tdhook --help' : `tdhook ${command} --help`;
      // Node's unknown-option message goes on about positionals after '--'; its first sentence is the point.
      const message = (error as Error).message.replace(/(Unknown option '[^']*')\. To specify .*$/s, '$1');
      io.stderr.write(`tdhook: ${message} (see ${hint})\n`);
      return 2;
    }
    if (TdhookError.is(error)) {
      io.stderr.write(`tdhook ${command}: ${error.message}\n`);
      return 1;
    }
    io.stderr.write(
      `tdhook ${command}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 1;
  }
}
