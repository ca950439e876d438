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
