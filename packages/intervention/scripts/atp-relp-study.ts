// The AtP/RelP study (issue 15 §2): how well attribution patching (AtP) and relevance patching (RelP) predict
// activation patching on the IOI and induction models trained in @tdhook/nlp-assets. Prints the table and
// writes every number to docs/atp-relp-study.json (the source of docs/atp-relp-study.md).
//   pnpm --filter @tdhook/intervention atp-relp-study            (wasm; BACKEND=cpu for the cpu backend)
// Needs the workspace built (`pnpm build`): it runs the packages' dist/ like the training scripts do.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { initBackend, type BackendName } from '@tdhook/backend';
import { loadInductionModel, loadIoiModel } from '@tdhook/nlp-assets';

import { studyModel, type ModelStudy } from './atp-relp/run-study.js';
import { inductionDataset, ioiDataset, studySeeds } from './atp-relp/study-datasets.js';
import { disagreementTable, studyTable } from './atp-relp/study-table.js';

const backend = (process.env.BACKEND ?? 'wasm') as BackendName;
await initBackend({ backend });
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const studies: ModelStudy[] = [];
for (const task of ['ioi', 'induction'] as const) {
  const loaded = task === 'ioi' ? await loadIoiModel() : await loadInductionModel();
  try {
    const dataset =
      task === 'ioi' ? ioiDataset(loaded.tokenizer, studySeeds.ioi) : inductionDataset(studySeeds.induction);
    studies.push(
      studyModel(loaded.model, dataset, {
        onGrid: (grid, seconds) => {
          log(`${task} ${grid}: ${seconds.toFixed(1)} s`);
        },
      }),
    );
  } finally {
    loaded.model.dispose();
  }
}

const table = studyTable(studies);
process.stdout.write(`${table}\n\n${disagreementTable(studies)}\n`);
// Run from scripts/dist/: the package root is two folders up.
const path = join(import.meta.dirname, '..', '..', 'docs', 'atp-relp-study.json');
writeFileSync(
  path,
  `${JSON.stringify({ backend, seeds: studySeeds, table, studies }, (_, value: unknown) => (typeof value === 'number' ? Number(value.toPrecision(6)) : value), 2)}\n`,
);
log(`wrote ${path}`);
