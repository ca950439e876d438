import { parseArgs } from 'node:util';

import { describeModel, formatModelInfo, loadModel } from '@tdhook/adapter-cv';

import { infoHelp } from '../help.js';
import { UsageError } from '../usage-error.js';
import { startBackend } from './backend.js';
import type { Io } from './io.js';

/** `tdhook info`: prints the model's inputs, outputs and hookable paths. */
export async function infoCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      backend: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(infoHelp);
    return 0;
  }
  if (values.model === undefined) throw new UsageError('--model <dir> is required');
  await startBackend(values.backend);
  const loaded = await loadModel(values.model);
  try {
    const info = describeModel(loaded.model);
    io.stdout.write(`${values.json ? JSON.stringify(info, null, 2) : formatModelInfo(info)}\n`);
    return 0;
  } finally {
    loaded.dispose();
  }
}
