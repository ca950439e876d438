// The footprint section of the markdown summary.
import type { Footprint } from '../footprint/types.js';
import { formatBytes, formatDuration } from './format.js';
import { markdownTable } from './markdown-table.js';

const installed = (bytes: number | undefined, list: readonly string[] | undefined): string =>
  bytes === undefined
    ? '–'
    : `${formatBytes(bytes)} (${String(list?.length ?? 0)} package${list?.length === 1 ? '' : 's'})`;

/**
 * The footprint as a markdown section: each package's packed, unpacked and installed size and cold import
 * time; the install sets; the TF.js packages next to them; and exactly what is counted.
 *
 * @example
 * writeFileSync('footprint.md', formatFootprintMarkdown(await measureFootprint()));
 */
export function formatFootprintMarkdown(footprint: Footprint): string {
  const packages = markdownTable(
    ['package', 'version', 'packed', 'unpacked (files)', 'installed, with dependencies', 'cold import'],
    footprint.packages.map((p) => [
      `\`${p.name}\``,
      p.version,
      formatBytes(p.packedBytes),
      `${formatBytes(p.unpackedBytes)} (${String(p.files)})`,
      installed(p.installedBytes, p.installed),
      p.importMs === undefined ? '–' : formatDuration(p.importMs),
    ]),
    'llrrrr',
  );
  const sets = markdownTable(
    ['install set', 'installed, with dependencies'],
    footprint.sets.map((set) => [
      `${set.name}: ${set.packages.map((name) => `\`${name}\``).join(', ')}`,
      installed(set.installedBytes, set.installed),
    ]),
    'lr',
  );
  const references = markdownTable(
    ['TF.js package', 'packed (its own tarball)', 'installed, with dependencies', 'what is counted'],
    footprint.references.map((ref) => [
      `\`${ref.name}@${ref.version}\``,
      ref.packedBytes === undefined ? '–' : formatBytes(ref.packedBytes),
      ref.error === undefined ? installed(ref.installedBytes, ref.installed) : `not measured: ${ref.error}`,
      ref.note ?? '',
    ]),
    'lrrl',
  );
  const counted =
    '**Packed**: the tarball `pnpm pack` makes (for the TF.js packages: their tarball on the npm registry). ' +
    '**Installed**: bytes of the files (not disk blocks) after `npm install --legacy-peer-deps` of the tarballs into an ' +
    'empty project: the package and its dependencies, transitively, each counted once. **Peers are not counted**: ' +
    '`@tensorflow/tfjs-core` (which every `@tdhook` package needs: one install set and a row of the TF.js table count it), the optional `tfjs-node` of ' +
    '`@tdhook/backend`, and `@tdhook/core` for `@tdhook/attribution` on its own row. The TF.js packages count ' +
    'everything they depend on, `tfjs-core` included. **Cold import**: `node --input-type=module -e "await import(…)"` ' +
    `in the package's directory of the checkout (its built \`dist/\`), median of ${String(footprint.importRuns)} ` +
    `spawns, minus the median empty \`node -e ""\` (${formatDuration(footprint.emptyNodeMs)}).`;
  return [
    '## Footprint',
    `Measured on ${footprint.date.slice(0, 10)} with Node ${footprint.node} and npm ${footprint.npm}. ${counted}`,
    packages,
    ...(footprint.sets.length > 0 ? [sets] : []),
    ...(footprint.references.length > 0 ? [references] : []),
    ...(footprint.notes.length > 0
      ? [`Notes:\n\n${footprint.notes.map((note) => `- ${note}`).join('\n')}`]
      : []),
  ].join('\n\n');
}
