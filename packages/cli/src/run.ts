import { explainCommand } from './commands/explain.js';
import { explainTextCommand } from './commands/explain-text.js';
import { infoCommand } from './commands/info.js';
import type { Io } from './commands/io.js';
import { methodsCommand } from './commands/methods.js';
import { exitCodes, failureOf } from './exit-codes.js';
import { mainHelp } from './help.js';
import { UsageError } from './usage-error.js';

const commands: Readonly<Record<string, (argv: readonly string[], io: Io) => Promise<number>>> = {
  explain: explainCommand,
  'explain-text': explainTextCommand,
  info: infoCommand,
  methods: methodsCommand,
};

/**
 * Runs the `tdhook` command line and returns its exit code (see `exitCodes`): 0 on success, 1 when the
 * work failed (a bad model, image, layer or output folder), 2 for a command line that cannot run as
 * written, 3 for a `--plugin` module or method that cannot be used. Every failure is one line on stderr
 * saying what and how to fix it; `TDHOOK_DEBUG=1` adds the stack trace of unexpected errors.
 *
 * @example
 * process.exitCode = await run(['info', '--model', 'models/mnist-cnn']);
 */
export async function run(argv: readonly string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(mainHelp);
    return command === undefined ? exitCodes.usage : exitCodes.ok;
  }
  const handler = commands[command];
  try {
    if (handler === undefined)
      throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(commands).join(', ')})`);
    return await handler(rest, io);
  } catch (error) {
    const failure = failureOf(error);
    if (failure.usage) {
      const hint = handler === undefined ? 'tdhook --help' : `tdhook ${command} --help`;
      io.stderr.write(`tdhook: ${failure.line} (see ${hint})\n`);
    } else {
      io.stderr.write(`tdhook ${command}: ${failure.line}\n`);
      if (process.env.TDHOOK_DEBUG === '1' && error instanceof Error)
        io.stderr.write(`${error.stack ?? ''}\n`);
    }
    return failure.code;
  }
}
