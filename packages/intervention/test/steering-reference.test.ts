// The gpt2-tiny reference's `steering` item (computed in PyTorch with the original's ActivationAddition, see
// the fixture's README): activationAddition at blocks.0.hook_resid_post over the 2 positive/negative pairs,
// then steeringVectors adding 4 · steer there on steering.prompt. Values at atol 1e-5.
import * as tf from '@tensorflow/tfjs-core';
import { TensorDict } from '@tdhook/core';
import type {} from '@tdhook/testing/vitest';
import { describe, expect, it } from 'vitest';

import { activationAddition, addVector, steeringVectors } from '../src/index.js';
import { installedHooks } from './method-models.js';
import { expected, maxError, reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';

const model = useTinyModel();
const atol = { atol: 1e-5, rtol: 0 };

/** The reference's steer vectors: `['steer', hook]` of an unbatched result the caller disposes. */
function steerVectors(): TensorDict {
  const { hook, positive, negative } = reference().steering;
  using data = new TensorDict(
    { positive: { input: tokensOf(positive) }, negative: { input: tokensOf(negative) } },
    { batchShape: [positive.length] },
  );
  using prepared = activationAddition({ modules: [hook] }).prepare(model());
  return prepared.run(data);
}

/** The prompt's logits [1, 8, 96], steered by coeff · vector when a vector is given. */
function promptLogits(vector?: tf.Tensor): tf.Tensor {
  const { hook, prompt, coeff } = reference().steering;
  using data = new TensorDict({ input: tokensOf(prompt) }, { batchShape: [1] });
  if (vector === undefined) return tf.tidy(() => model().call(data.getTensor('input')));
  using prepared = steeringVectors({
    modules: [hook],
    steer: addVector(vector, { coefficient: coeff }),
  }).prepare(model());
  using result = prepared.run(data);
  return tf.clone(result.getTensor('output'));
}

/** log-softmax of the last position: [1, 96]. */
function lastLogSoftmax(logits: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [, positions = 0, vocab = 0] = logits.shape;
    return tf.logSoftmax(tf.reshape(tf.slice(logits, [0, positions - 1, 0], [1, 1, vocab]), [1, vocab]));
  });
}

function argmaxLast(logits: tf.Tensor): number {
  return tf.tidy(() => tf.argMax(lastLogSoftmax(logits), 1).dataSync()[0] ?? -1);
}

describe('the reference steering (activationAddition + steeringVectors on gpt2-tiny)', () => {
  const steering = reference().steering;

  it('activationAddition gives the reference steer [8, 64]', () => {
    using vectors = steerVectors();
    const steer = vectors.getTensor(['steer', steering.hook]);
    expect(vectors.batchShape).toEqual([]);
    expect(steer).toBeCloseToTensor(expected(steering.steer), atol);
    console.info(
      `steer: max |error| ${maxError(steer, steering.steer).toExponential(2)} (${tf.getBackend()})`,
    );
    expect(installedHooks(model())).toBe(0);
  });

  it('4 · steer added at blocks.0.hook_resid_post: steered and unsteered logits and last-position log-softmax equal the reference; the argmax moves from 32 to 9', () => {
    using vectors = steerVectors();
    const unsteered = promptLogits();
    const steered = promptLogits(vectors.getTensor(['steer', steering.hook]));
    const logSoftmax = [lastLogSoftmax(unsteered), lastLogSoftmax(steered)] as const;
    expect(unsteered).toBeCloseToTensor(expected(steering.logits_unsteered), atol);
    expect(steered).toBeCloseToTensor(expected(steering.logits_steered), atol);
    expect(logSoftmax[0]).toBeCloseToTensor(expected(steering.last_position_log_softmax_unsteered), atol);
    expect(logSoftmax[1]).toBeCloseToTensor(expected(steering.last_position_log_softmax_steered), atol);
    expect([argmaxLast(unsteered)]).toEqual(steering.last_position_argmax_unsteered);
    expect([argmaxLast(steered)]).toEqual(steering.last_position_argmax_steered);
    console.info(
      [
        `logits unsteered ${maxError(unsteered, steering.logits_unsteered).toExponential(2)}`,
        `steered ${maxError(steered, steering.logits_steered).toExponential(2)}`,
        `log-softmax unsteered ${maxError(logSoftmax[0], steering.last_position_log_softmax_unsteered).toExponential(2)}`,
        `steered ${maxError(logSoftmax[1], steering.last_position_log_softmax_steered).toExponential(2)}`,
        `(${tf.getBackend()})`,
      ].join(', '),
    );
    tf.dispose([unsteered, steered, ...logSoftmax]);
    expect(installedHooks(model())).toBe(0);
  });

  it('coefficient 0 gives the unsteered logits exactly', () => {
    using vectors = steerVectors();
    const { hook, prompt } = steering;
    using data = new TensorDict({ input: tokensOf(prompt) }, { batchShape: [1] });
    const unsteered = promptLogits();
    {
      using prepared = steeringVectors({
        modules: [hook],
        steer: addVector(vectors.getTensor(['steer', hook]), { coefficient: 0 }),
      }).prepare(model());
      using result = prepared.run(data);
      expect(result.getTensor('output')).toBeCloseToTensor(unsteered, { atol: 0, rtol: 0 });
    }
    unsteered.dispose();
  });
});
