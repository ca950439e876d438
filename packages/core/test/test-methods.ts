// Two small methods written against the public plugin contract, used by the method and workflow tests:
// one read-only (captures activations), one that edits the model's computation.
import * as tf from '@tensorflow/tfjs-core';

import { captureRunner } from '../src/methods/capture-runner.js';
import { defineMethod, type MethodFactory } from '../src/methods/define-method.js';
import { TensorDict } from '../src/tensordict/tensor-dict.js';

/** Captures the outputs of modules, published under `[key, path]`. */
export const captureActivations: MethodFactory<{ readonly paths: readonly string[]; readonly key?: string }> =
  defineMethod({
    contract: 'tdhook.method/1',
    id: 'test/capture-activations',
    requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
    plan: ({ paths, key = 'cache' }, model) => ({
      hooks: paths.map((path) => ({ path, direction: 'forward' as const, operation: 'capture' })),
      inKeys: model.inKeys,
      outKeys: paths.map((path) => [key, path] as const),
      collects: true,
    }),
    bind: ({ paths, key = 'cache' }, context) => {
      const captured = new Map<string, tf.Tensor>();
      for (const path of paths) {
        context.hook({ path, direction: 'forward', operation: 'capture' }, (output) => {
          captured.get(path)?.dispose();
          captured.set(path, tf.keep(tf.clone(output as tf.Tensor)));
        });
      }
      const collect = (data: TensorDict): TensorDict => {
        const out = new TensorDict({}, { batchShape: data.batchShape });
        for (const path of paths) {
          const value = captured.get(path);
          if (value === undefined) throw new Error(`module ${path} did not run`);
          captured.delete(path);
          // The model saw one flattened batch axis; give the capture the data's batch dims back.
          out.set(
            [key, path],
            tf.tidy(() => tf.reshape(value, [...data.batchShape, ...value.shape.slice(1)])),
          );
          value.dispose();
        }
        return out;
      };
      return captureRunner(context.model, collect);
    },
  });

/** Adds `amount` to a module's output. */
export const addToOutput: MethodFactory<{ readonly path: string; readonly amount: number }> = defineMethod({
  contract: 'tdhook.method/1',
  id: 'test/add-to-output',
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: ({ path }, model) => ({
    hooks: [{ path, direction: 'forward', operation: 'replace' }],
    inKeys: model.inKeys,
    outKeys: [],
  }),
  bind: ({ path, amount }, context) => {
    context.hook({ path, direction: 'forward', operation: 'replace' }, (output) =>
      tf.add(output as tf.Tensor, amount),
    );
    return { run: (data) => context.model.run(data) };
  },
});

/** Multiplies a module's output by `factor`: a replace hook that changes what later modules and gradients see. */
export const scaleOutput: MethodFactory<{ readonly path: string; readonly factor: number }> = defineMethod({
  contract: 'tdhook.method/1',
  id: 'test/scale-output',
  requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
  plan: ({ path }, model) => ({
    hooks: [{ path, direction: 'forward', operation: 'replace' }],
    inKeys: model.inKeys,
    outKeys: [],
  }),
  bind: ({ path, factor }, context) => {
    context.hook({ path, direction: 'forward', operation: 'replace' }, (output) =>
      tf.mul(output as tf.Tensor, factor),
    );
    return { run: (data) => context.model.run(data) };
  },
});

/**
 * A gradient method: the gradient of the sum of the model's output number `output` (in outKeys order) w.r.t.
 * its first input, under `[key, 'input']`, and (with `path`) the gradient reaching that module's output, seen
 * by a backward-pre capture hook, under `[key, path]`. Data with one batch axis. Publishes the model outputs.
 */
export const inputGradient: MethodFactory<{
  readonly key?: string;
  readonly path?: string;
  readonly output?: number;
}> = defineMethod({
  contract: 'tdhook.method/1',
  id: 'test/input-gradient',
  requirements: () => ({ modelPasses: 2, gradients: 'required' }),
  plan: ({ key = 'grad', path }, model) => ({
    hooks: path === undefined ? [] : [{ path, direction: 'backward-pre', operation: 'capture' }],
    inKeys: model.inKeys,
    outKeys: [[key, 'input'], ...(path === undefined ? [] : [[key, path] as const])],
  }),
  bind: ({ key = 'grad', path, output = 0 }, context) => {
    let captured: tf.Tensor | undefined;
    if (path !== undefined) {
      context.hook({ path, direction: 'backward-pre', operation: 'capture' }, (gradient) => {
        captured?.dispose();
        captured = tf.keep(tf.clone(gradient));
        return undefined;
      });
    }
    context.onRestore(() => {
      captured?.dispose();
      captured = undefined;
    });
    return {
      run: (data) => {
        const [inKey] = context.model.inKeys;
        if (inKey === undefined) throw new Error('no input key');
        const gradient = tf.tidy(() =>
          tf.grad((input: tf.Tensor) => {
            const outputs = context.model.callTensors([input]);
            return tf.sum(outputs[output] as tf.Tensor);
          })(data.getTensor(inKey)),
        );
        const result = context.model.run(data);
        result.set([key, 'input'], gradient);
        if (path !== undefined) {
          if (captured === undefined) throw new Error(`no gradient reached ${path}`);
          result.set([key, path], captured);
          captured = undefined;
        }
        return result;
      },
    };
  },
});
