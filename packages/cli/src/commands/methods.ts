import { parseArgs } from 'node:util';

import { visionMethodId, visionMethodNames, visionMethodRegistry } from '@tdhook/adapter-cv';

import { methodsHelp } from '../help.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import type { Io } from './io.js';

/** `tdhook methods`: the built-in methods and those the `--plugin` modules register. */
export async function methodsCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      plugin: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout.write(methodsHelp);
    return 0;
  }
  const registry = visionMethodRegistry();
  const plugins = await loadPlugins(values.plugin ?? [], registry);
  const pluginOf = new Map(
    plugins.flatMap(({ specifier, ids }) => ids.map((id) => [id, specifier] as const)),
  );
  const nameOf = new Map(visionMethodNames.map((name) => [visionMethodId(name), name] as const));
  const rows = registry.list().map(({ id, summary }) => ({
    name: nameOf.get(id) ?? id,
    id,
    summary: summary ?? '',
    ...(pluginOf.has(id) ? { plugin: pluginOf.get(id) } : {}),
  }));
  if (values.json) {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((row) => row.name.length));
  const idWidth = Math.max(...rows.map((row) => (row.name === row.id ? 0 : row.id.length)));
  io.stdout.write('Methods for tdhook explain --method <name>:\n');
  for (const row of rows) {
    const id = row.name === row.id ? '' : row.id;
    const from = row.plugin === undefined ? '' : ` (from ${row.plugin})`;
    io.stdout.write(`  ${row.name.padEnd(width)}  ${id.padEnd(idWidth)}  ${row.summary}${from}\n`);
  }
  return 0;
}
