// Trains the committed corridor Q-network (`pnpm --filter @tdhook/adapter-rl train-corridor-q`, after
// building the workspace packages): fitted Q-iteration on the complete transition table of the 9-cell
// corridor, the original tutorial's protocol (600 full-batch Adam steps at 0.02, gamma 0.95, smooth L1,
// target synced every 10), on the wasm backend; checks 100% greedy accuracy and closed-loop success, then
// writes src/pretrained/corridor-q.ts (PolicyWeightsJSON, with the architecture and the numbers).
// Deterministic for the seed on a backend (a rerun on wasm rewrites the same file); cpu differs in the last
// float bits.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { initBackend } from '@tdhook/backend';
import * as tf from '@tensorflow/tfjs-core';

import { corridorPanel } from '../src/corridor/panel.js';
import { corridorTransitions } from '../src/corridor/transitions.js';
import { QNetwork } from '../src/policies/q-network.js';
import { corridorClosedLoop } from '../src/corridor/closed-loop.js';
import { fitQ } from '../src/training/fitted-q.js';
import { writeCorridorQModule } from './write-corridor-q.js';

const seed = Number(process.env.CORRIDOR_Q_SEED ?? 0);
const protocol = { iterations: 600, learningRate: 0.02, gamma: 0.95, targetSync: 10 } as const;

/** The package root: the script runs bundled from node_modules/.scripts, so walk up to our package.json. */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && readFileSync(manifest, 'utf8').includes('"name": "@tdhook/adapter-rl"')) {
      return directory;
    }
    const parent = dirname(directory);
    if (parent === directory) throw new Error('Run the script from packages/adapter-rl.');
    directory = parent;
  }
}
const output = join(packageRoot(), 'src/pretrained/corridor-q.ts');

await initBackend({ backend: 'wasm' });
const network = new QNetwork({ seed });
const table = corridorTransitions();
const started = performance.now();
const { finalLoss } = fitQ(network, table, protocol);
const seconds = (performance.now() - started) / 1000;
table.dispose();

const panel = corridorPanel();
const accuracy = tf.tidy(
  () =>
    tf
      .mean(
        tf.cast(
          tf.equal(network.call(panel.getTensor('observation')).action, panel.getTensor('target_action')),
          'float32',
        ),
      )
      .dataSync()[0] ?? 0,
);
panel.dispose();
const { successRate } = corridorClosedLoop(network);
process.stderr.write(
  `seed ${seed}: loss ${finalLoss.toExponential(3)}, accuracy ${accuracy}, closed-loop success ${successRate}, ${seconds.toFixed(2)} s on ${tf.getBackend()}\n`,
);
if (accuracy !== 1 || successRate !== 1) {
  process.stderr.write('Not 100%: weights not written (try another CORRIDOR_Q_SEED).\n');
  process.exit(1);
}

await writeCorridorQModule(output, network, seed, {
  method: 'fitted Q-iteration on the complete transition table',
  ...protocol,
  loss: 'smooth L1',
  optimizer: 'Adam',
  finalLoss,
  greedyAccuracy: accuracy,
  closedLoopSuccess: successRate,
  backend: tf.getBackend(),
});
network.dispose();
process.stderr.write(`wrote ${output}\n`);
