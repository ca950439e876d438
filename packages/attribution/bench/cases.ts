// The benchmark cases: each runs tdhook and the hand-written TF.js equivalent on the same model and data.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TensorDict, type Method } from '@tdhook/core';

import { classTargets, gradCam, integratedGradients, quadrature, saliency } from '../src/index.js';
import { referenceCnn, referenceMlp } from '../test/reference-models.js';
import { plainGradCam, plainIntegratedGradients, plainSaliency } from './plain.js';

/** One way of computing a case's result; returns the tensors it computed (the bench disposes them). */
export interface Variant {
  readonly name: string;
  run(): tf.Tensor[];
}

/** A benchmark case: variants timed in interleaved rounds, and the ratios reported. */
export interface BenchCase {
  readonly name: string;
  readonly rounds: number;
  readonly variants: readonly Variant[];
  readonly ratios: readonly { readonly slow: string; readonly fast: string; readonly goal: string }[];
  dispose(): void;
}

const batch = 32;

interface Subject {
  readonly label: string;
  readonly model: tfl.Sequential;
  readonly x: tf.Tensor;
}

function subjects(): Subject[] {
  return [
    { label: 'MLP', model: referenceMlp(), x: tf.randomNormal([batch, 16], 0, 1, 'float32', 11) },
    { label: 'CNN', model: referenceCnn(), x: tf.randomNormal([batch, 16, 16, 1], 0, 1, 'float32', 12) },
  ];
}

/** A tdhook method prepared on the subject's model, run on its batch; returns the attributions read. */
function tdhookVariant(
  name: string,
  subject: Subject,
  method: Method,
  keys: readonly (readonly [string, ...string[]])[],
): Variant & { dispose(): void } {
  const prepared = method.prepare(subject.model);
  const data = new TensorDict({ input: tf.clone(subject.x) }, { batchShape: [batch] });
  return {
    name,
    run: () => {
      const result = prepared.run(data);
      const kept = keys.map((key) => tf.clone(result.getTensor(key)));
      result.dispose();
      return kept;
    },
    dispose: () => {
      prepared.restore();
      data.dispose();
    },
  };
}

function overheadCase(
  title: string,
  subject: Subject,
  tdhook: Variant & { dispose(): void },
  plain: Variant,
  rounds: number,
): BenchCase {
  return {
    name: `${title}, ${subject.label}, batch ${String(batch)}`,
    rounds,
    variants: [tdhook, plain],
    ratios: [{ slow: tdhook.name, fast: plain.name, goal: 'overhead ≤ 1.10' }],
    dispose: () => {
      tdhook.dispose();
    },
  };
}

/** Every case, built on fresh models; `dispose()` each after timing it (the models go with the last). */
export function benchCases(): BenchCase[] {
  const all = subjects();
  const cases: BenchCase[] = [];
  for (const subject of all) {
    cases.push(
      overheadCase(
        'saliency (predicted class)',
        subject,
        tdhookVariant('tdhook', subject, saliency({ target: { select: 'argmax' } }) as Method, [
          ['attr', 'input'],
        ]),
        { name: 'plain', run: () => [plainSaliency(subject.model, subject.x)] },
        subject.label === 'MLP' ? 101 : 21,
      ),
    );
  }
  const classes = Array.from({ length: 10 }, (_, unit) => unit);
  const { alphas, weights } = quadrature('gausslegendre', 50);
  for (const subject of all) {
    const keys = classes.map((unit) => ['attr', `class${String(unit)}`, 'input'] as const);
    const options = {
      steps: 50,
      method: 'gausslegendre',
      targets: classTargets(classes),
      baselines: 0,
    } as const;
    const shared = tdhookVariant('tdhook', subject, integratedGradients(options) as Method, keys);
    const loop = tdhookVariant(
      'tdhook loop',
      subject,
      integratedGradients({ ...options, strategy: 'loop' }) as Method,
      keys,
    );
    const plain: Variant = {
      name: 'plain loop',
      run: () => plainIntegratedGradients(subject.model, subject.x, alphas, weights, classes),
    };
    cases.push({
      name: `integrated gradients, 10 classes, 50 Gauss–Legendre steps, ${subject.label}, batch ${String(batch)}`,
      rounds: subject.label === 'MLP' ? 15 : 5,
      variants: [shared, loop, plain],
      ratios: [
        { slow: 'plain loop', fast: 'tdhook', goal: 'speed-up ≥ 1.3' },
        { slow: 'tdhook loop', fast: 'plain loop', goal: 'overhead ≤ 1.10' },
      ],
      dispose: () => {
        shared.dispose();
        loop.dispose();
      },
    });
  }
  const cnn = all[1];
  if (cnn !== undefined) {
    cases.push(
      overheadCase(
        'Grad-CAM on conv2 (predicted class)',
        cnn,
        tdhookVariant('tdhook', cnn, gradCam({ layers: 'conv2', target: { select: 'argmax' } }) as Method, [
          ['attr', 'conv2'],
        ]),
        { name: 'plain', run: () => [plainGradCam(cnn.model, cnn.x, 4)] },
        21,
      ),
    );
  }
  const last = cases[cases.length - 1];
  if (last !== undefined) {
    cases[cases.length - 1] = {
      ...last,
      dispose: () => {
        last.dispose();
        for (const subject of all) {
          subject.model.dispose();
          subject.x.dispose();
        }
      },
    };
  }
  return cases;
}
