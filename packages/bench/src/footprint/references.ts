// The TF.js packages tdhook's footprint is compared with, fetched from the npm registry and installed the
// same way as tdhook's tarballs.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

import { commandError, npmInstall, npmPack } from './commands.js';
import { installedClosure } from './disk.js';
import type { ReferenceFootprint } from './types.js';

interface Reference {
  readonly name: string;
  readonly note: string;
  readonly ignoreScripts?: boolean;
}

const references: readonly Reference[] = [
  { name: '@tensorflow/tfjs-core', note: 'the peer every @tdhook package needs, not counted in their rows' },
  { name: '@tensorflow/tfjs', note: 'the umbrella: core, layers, converter, data, cpu and webgl backends' },
  {
    name: '@tensorflow/tfjs-node',
    note: 'installed with --ignore-scripts: the libtensorflow its install script downloads (hundreds of MB) is NOT counted',
    ignoreScripts: true,
  },
];

async function measureOne(reference: Reference, version: string, dir: string): Promise<ReferenceFootprint> {
  const base = { name: reference.name, version, note: reference.note };
  mkdirSync(dir, { recursive: true });
  let tarball: string;
  try {
    tarball = await npmPack(`${reference.name}@${version}`, dir);
  } catch (error) {
    return { ...base, error: `npm pack failed (no registry?): ${commandError(error)}` };
  }
  const packedBytes = statSync(tarball).size;
  try {
    await npmInstall(
      join(dir, 'project'),
      [tarball],
      reference.ignoreScripts === true ? { ignoreScripts: true } : {},
    );
  } catch (error) {
    return { ...base, packedBytes, error: `npm install failed: ${commandError(error)}` };
  }
  const closure = installedClosure(join(dir, 'project'), [reference.name]);
  return { ...base, packedBytes, installedBytes: closure.bytes, installed: closure.installed };
}

/** Each reference at `version`, measured in its own folder under `scratch`; a failure is recorded, not thrown. */
export async function measureReferences(
  version: string,
  scratch: string,
  onProgress: (message: string) => void,
): Promise<readonly ReferenceFootprint[]> {
  const measured: ReferenceFootprint[] = [];
  for (const [index, reference] of references.entries()) {
    const unreachable = measured.find((ref) => ref.error?.startsWith('npm pack failed') === true);
    if (unreachable?.error !== undefined) {
      // The registry did not answer: the next ones would wait for the same time-out.
      measured.push({ name: reference.name, version, note: reference.note, error: unreachable.error });
      continue;
    }
    onProgress(`footprint: fetching ${reference.name}@${version} from the npm registry`);
    measured.push(await measureOne(reference, version, join(scratch, `reference-${String(index)}`)));
  }
  return measured;
}
