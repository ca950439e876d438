// The README's main job: report the TF.js backend tdhook runs on, then compute one real gradient on the
// reference MLP and check it against captum's numbers. Grows into the end-to-end demo as packages land.
import { performance } from 'node:perf_hooks';

import * as tf from '@tensorflow/tfjs-core';
import { formatBackendReport, initBackend } from '@tdhook/backend';
import { formatKey, type Key } from '@tdhook/core';
import {
  compareCloseness,
  findReferenceResult,
  formatClosenessReport,
  loadReferenceModel,
  tensorFromSpec,
} from '@tdhook/testing';

import { createMlp, disposeMlp, mlpLogits } from './reference-mlp.js';

const tolerance = { rtol: 1e-4, atol: 1e-6 }; // the reference set's stated tolerance for gradient methods
const attributionKey: Key = ['attr', 'input'];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

async function main(): Promise<number> {
  const started = performance.now();
  const backend = await initBackend();
  console.log(`tdhook demo: ${formatBackendReport(backend)}`);

  const model = loadReferenceModel('mlp');
  const reference = findReferenceResult('mlp', 'saliency_raw__logits__argmax');
  const tensorsBefore = tf.memory().numTensors;

  const weights = createMlp(model);
  const x = tensorFromSpec(model.inputs.x ?? reference.attribution) as tf.Tensor2D;
  const target = tf.tidy(() => tf.oneHot(tf.tensor1d([...reference.target], 'int32'), 10));
  // d logit[target] / d x for each sample; samples are independent, so one gradient of the sum gives all.
  const gradient = tf.grad((input: tf.Tensor) =>
    tf.sum(tf.mul(mlpLogits(weights, input as tf.Tensor2D), target)),
  );

  const logits = mlpLogits(weights, x);
  const logitsCheck = compareCloseness(logits, model.logits, { rtol: 1e-5, atol: 1e-6 });
  console.log(
    `${model.architecture.summary}; inputs [${x.shape.join(',')}], targets (argmax) [${reference.target.join(',')}]`,
  );
  console.log(
    `logits vs PyTorch: ${logitsCheck.pass ? 'match' : 'MISMATCH'}, max |error| ${logitsCheck.maxAbsoluteError.toExponential(2)}`,
  );

  const saliency = gradient(x);
  const check = compareCloseness(saliency, reference.attributionTfjs, tolerance);
  console.log(
    `gradient ${formatKey(attributionKey)} [${saliency.shape.join(',')}] vs captum Saliency(abs=False): ` +
      `${check.pass ? 'match' : 'MISMATCH'} (rtol ${tolerance.rtol}, atol ${tolerance.atol}), max |error| ${check.maxAbsoluteError.toExponential(2)}`,
  );
  if (!check.pass) console.log(`  ${formatClosenessReport(check)}`);

  const times: number[] = [];
  for (let run = 0; run < 30; run++) {
    const t0 = performance.now();
    const g = gradient(x);
    await g.data();
    g.dispose();
    times.push(performance.now() - t0);
  }
  console.log(`gradient time: ${median(times.slice(5)).toFixed(3)} ms (median of 25 after 5 warm-up runs)`);

  tf.dispose([saliency, logits, target, x]);
  disposeMlp(weights);
  const leaked = tf.memory().numTensors - tensorsBefore;
  console.log(`tensors leaked: ${leaked}; total ${((performance.now() - started) / 1000).toFixed(2)} s`);
  return check.pass && logitsCheck.pass && leaked === 0 ? 0 : 1;
}

process.exitCode = await main();
