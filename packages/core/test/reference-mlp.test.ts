// The acceptance test: the reference MLP as a Layers model and as a plain Module, hooked at fc2.
import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceModel, tensorFromSpec } from '@tdhook/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hookCounts } from '../src/hooks/hook-state.js';
import { registerHook } from '../src/hooks/register-hook.js';
import { interceptedMethodOf } from '../src/modules/model-node.js';
import { resolveModule } from '../src/modules/resolve-module.js';
import { manualForward, referenceMlpKinds, type BuiltMlp } from './reference-mlp.js';

const reference = loadReferenceModel('mlp');

const kinds = referenceMlpKinds.map((kind) => ({ name: kind.name, build: () => kind.build(reference) }));

describe.each(kinds)('reference MLP as a $name', (kind) => {
  let built: BuiltMlp;
  let x: tf.Tensor;
  let untouched: Float32Array;
  const targets = tf.tidy(() => tf.keep(tf.oneHot(tf.tensor1d(reference.argmax as number[], 'int32'), 10)));

  beforeAll(() => {
    built = kind.build();
    x = tensorFromSpec(reference.inputs.x ?? reference.logits);
    untouched = tf.tidy(() => built.run(x)).dataSync() as Float32Array;
  });
  afterAll(() => {
    built.dispose();
    tf.dispose([x, targets]);
  });

  it('computes the PyTorch logits', () => {
    const logits = tf.tidy(() => built.run(x));
    expect(logits).toBeCloseToTensor(reference.logits, { rtol: 1e-5, atol: 1e-6 });
    logits.dispose();
  });

  it("captures fc2's output: equal to the manual forward", () => {
    let captured: tf.Tensor | undefined;
    const handle = registerHook(built.model, 'fc2', 'forward', (output) => {
      captured = tf.keep(tf.clone(output as tf.Tensor));
    });
    tf.dispose(tf.tidy(() => built.run(x)));
    handle.remove();
    const manual = manualForward(reference, x);
    expect(captured).toBeDefined();
    expect(captured).toBeCloseToTensor(manual.fc2, { rtol: 1e-6, atol: 1e-6 });
    tf.dispose([captured, manual.fc2, manual.logits]);
  });

  it("replacing fc2's output changes the logits exactly as the math says", () => {
    const replace = (fc2: tf.Tensor): tf.Tensor => tf.sub(tf.mul(fc2, 0.5), 0.25);
    const handle = registerHook(built.model, 'fc2', 'forward', (output) => replace(output as tf.Tensor));
    const hooked = tf.tidy(() => built.run(x));
    handle.remove();
    const manual = manualForward(reference, x, replace);
    expect(hooked).toBeCloseToTensor(manual.logits, { rtol: 1e-5, atol: 1e-6 });
    // and it really changed them
    expect(hooked).not.toBeCloseToTensor(reference.logits, { rtol: 1e-3, atol: 1e-3 });
    tf.dispose([hooked, manual.fc2, manual.logits]);
  });

  it('a backward-pre hook at fc2 sees tf.grad of the target logit w.r.t. that activation', () => {
    let seen: tf.Tensor | undefined;
    const handle = registerHook(built.model, 'fc2', 'backward-pre', (gradient) => {
      seen = tf.keep(tf.clone(gradient));
      return undefined;
    });
    const inputGradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(built.run(input), targets)))(x);
    handle.remove();

    // The same gradient from the math alone: d(target logit)/d(fc2 output), through ReLU and fc3.
    const manual = manualForward(reference, x);
    const fc3Kernel = tensorFromSpec(reference.paramsTfjs['fc3.kernel'] ?? reference.logits);
    const fc3Bias = tensorFromSpec(reference.paramsTfjs['fc3.bias'] ?? reference.logits);
    const expected = tf.grad((fc2: tf.Tensor) =>
      tf.sum(
        tf.mul(tf.add(tf.matMul(tf.relu(fc2) as tf.Tensor2D, fc3Kernel as tf.Tensor2D), fc3Bias), targets),
      ),
    )(manual.fc2);
    expect(seen).toBeDefined();
    expect(seen).toBeCloseToTensor(expected, { rtol: 1e-6, atol: 1e-7 });
    tf.dispose([seen, inputGradient, manual.fc2, manual.logits, fc3Kernel, fc3Bias, expected]);
  });

  it('after the hooks are removed, outputs are bit-identical to the untouched model and nothing is left on it', () => {
    const handles = [
      registerHook(built.model, 'fc2', 'forward', (output) => tf.mul(output as tf.Tensor, 2)),
      registerHook(built.model, 'fc1', 'forward-pre', (args) => args),
      registerHook(built.model, 'fc3', 'backward', () => undefined),
    ];
    const hooked = tf.tidy(() => built.run(x));
    expect(Array.from(hooked.dataSync())).not.toEqual(Array.from(untouched));
    hooked.dispose();
    for (const handle of handles) handle.remove();
    const after = tf.tidy(() => built.run(x));
    expect(Array.from(after.dataSync())).toEqual(Array.from(untouched));
    after.dispose();
    for (const path of ['fc1', 'fc2', 'fc3']) {
      const node = resolveModule(built.model, path);
      expect(hookCounts(node)).toEqual({ 'forward-pre': 0, forward: 0, 'backward-pre': 0, backward: 0 });
      expect(Object.getOwnPropertyNames(node)).not.toContain(interceptedMethodOf(node));
      expect(Object.getOwnPropertySymbols(node).map(String)).not.toContain('Symbol(tdhook.node-hooks)');
    }
  });
});
