import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, TensorDict, type MethodFactory } from '@tdhook/core';
import { captureRunner, defineMethod, type WithDefaults } from '@tdhook/core/plugin';

/** Options of {@link activationNorms}. */
export interface ActivationNormsOptions {
  /** Module paths whose outputs to measure, e.g. `['fc1', 'encoder.layers[-1]']`. */
  readonly paths: readonly string[];
  /** Where results go: `[key, path]`. Default `'norms'`. */
  readonly key?: string;
  /** Which norm: 1, 2 (the default) or 'max' (the largest absolute value). */
  readonly order?: 1 | 2 | 'max';
}

/** The options once `configure` has filled the defaults, the one place they are written. */
export type ConfiguredActivationNorms = WithDefaults<ActivationNormsOptions, 'key' | 'order'>;

function norm(activation: tf.Tensor, order: 1 | 2 | 'max'): tf.Tensor {
  return tf.tidy(() => {
    // Everything after the batch axis is one feature vector per sample.
    const flat = tf.reshape(activation, [activation.shape[0], -1]);
    if (order === 1) return tf.sum(tf.abs(flat), 1);
    if (order === 'max') return tf.max(tf.abs(flat), 1);
    return tf.sqrt(tf.sum(tf.square(flat), 1));
  });
}

/**
 * The norm of each sample's activation at the given modules, written to `[key, path]` with the data's batch
 * shape. A read-only capture method: in a workflow, several of them share one model pass.
 *
 * @example
 * using prepared = activationNorms({ paths: ['fc1', 'fc2'] }).prepare(model);
 * using result = prepared.run(data);
 * result.getTensor(['norms', 'fc1']); // one L2 norm per sample
 */
export const activationNorms: MethodFactory<ActivationNormsOptions, ConfiguredActivationNorms> =
  /* @__PURE__ */ defineMethod<ActivationNormsOptions, ConfiguredActivationNorms>({
    contract: 'tdhook.method/1',
    id: 'example/activation-norms',
    summary: 'Per-sample norms of module outputs',
    configure: (options) => {
      if (options.paths.length === 0) {
        throw new InvalidValueError({
          what: 'activationNorms needs at least one module path',
          where: 'paths',
          fix: "E.g. { paths: ['fc1'] }.",
        });
      }
      return { ...options, key: options.key ?? 'norms', order: options.order ?? 2 };
    },
    requirements: () => ({ modelPasses: 1, gradients: 'optional' }),
    // plan and bind get the configured options: key and order are always there.
    plan: ({ paths, key }, model) => ({
      hooks: paths.map((path) => ({ path, direction: 'forward' as const, operation: 'capture' })),
      inKeys: model.inKeys,
      outKeys: paths.map((path) => [key, path] as const),
      collects: true, // bind returns captureRunner(...): it can publish a pass a workflow shares
    }),
    bind: ({ paths, key, order }, context) => {
      const norms = new Map<string, tf.Tensor>();
      for (const path of paths) {
        context.hook({ path, direction: 'forward', operation: 'capture' }, (output) => {
          norms.get(path)?.dispose();
          // Kept: the model call runs inside a tidy that would dispose it.
          norms.set(path, tf.keep(norm(output as tf.Tensor, order)));
        });
      }
      const collect = (data: TensorDict): TensorDict => {
        const result = new TensorDict({}, { batchShape: data.batchShape });
        try {
          for (const path of paths) {
            const value = norms.get(path);
            if (value === undefined)
              throw new InvalidValueError({
                what: `Module '${path}' did not run`,
                where: 'activationNorms',
                fix: 'Check that the model calls it.',
              });
            const reshaped = tf.reshape(value, [...data.batchShape]);
            norms.delete(path);
            value.dispose();
            try {
              result.set([key, path], reshaped); // set takes ownership, once it succeeds
            } catch (error) {
              reshaped.dispose();
              throw error;
            }
          }
          return result;
        } catch (error) {
          // Neither what was collected so far nor the captures of the paths after the failing one stay behind.
          result.dispose();
          for (const value of norms.values()) value.dispose();
          norms.clear();
          throw error;
        }
      };
      return captureRunner(context.model, collect);
    },
  });
