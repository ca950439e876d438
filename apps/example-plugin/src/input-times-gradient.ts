import * as tf from '@tensorflow/tfjs-core';
import { InvalidValueError, type KeyedModel, type MethodFactory, type TensorDict } from '@tdhook/core';
import { defineMethod, withGradientCleanup, type WithDefaults } from '@tdhook/core/plugin';

/** Options of {@link inputTimesGradient}. */
export interface InputTimesGradientOptions {
  /**
   * The output unit explained per sample, in @tdhook/attribution's form: `{ select: 'argmax' }` (the
   * default: the unit with the highest score), one unit index for every sample, or one per sample.
   */
  readonly target?: { readonly select?: 'argmax' | number | readonly number[] };
  /** Multiply the gradient by the input (input × gradient); `false` gives the plain gradient. Default `true`. */
  readonly multiplyByInput?: boolean;
}

/** Which unit: the highest-scoring one, one for every sample, or one per sample. */
type UnitSelection = 'argmax' | number | readonly number[];

/**
 * The options once `configure` has filled the defaults (the one place they are written): `multiplyByInput`
 * and `target.select` are always there.
 */
export type ConfiguredInputTimesGradient = WithDefaults<InputTimesGradientOptions, 'multiplyByInput'> & {
  readonly target: { readonly select: UnitSelection };
};

const id = 'example/input-times-gradient';

function checkOptions(options: InputTimesGradientOptions): ConfiguredInputTimesGradient {
  const select: unknown = options.target?.select ?? 'argmax';
  const isUnit = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  if (select !== 'argmax' && !isUnit(select) && !(Array.isArray(select) && select.every(isUnit))) {
    throw new InvalidValueError({
      what: `target.select must be 'argmax', a unit index or one index per sample, got ${JSON.stringify(select)}`,
      where: id,
      fix: "E.g. { target: { select: 'argmax' } } or { target: { select: 3 } }.",
    });
  }
  if (options.multiplyByInput !== undefined && typeof options.multiplyByInput !== 'boolean') {
    throw new InvalidValueError({ what: 'multiplyByInput must be a boolean', where: id });
  }
  // The one place the defaults are set.
  return {
    ...options,
    target: { select: select as UnitSelection },
    multiplyByInput: options.multiplyByInput ?? true,
  };
}

/** One unit index per row: the argmax of the scores, or what `select` names. */
function unitsOf(select: UnitSelection, scores: tf.Tensor2D): number[] {
  const [rows, units] = scores.shape;
  if (select === 'argmax') {
    const argmax = tf.argMax(scores, 1);
    const picked = Array.from(argmax.dataSync());
    argmax.dispose();
    return picked;
  }
  const picked = typeof select === 'number' ? new Array<number>(rows).fill(select) : [...select];
  if (picked.length !== rows || picked.some((unit) => unit >= units)) {
    throw new InvalidValueError({
      what: `target.select ${JSON.stringify(select)} does not fit ${rows} sample(s) of ${units} unit(s)`,
      where: id,
      fix: `Use indices in [0, ${units}), one per sample or one for all.`,
    });
  }
  return picked;
}

/**
 * Every model input's gradient of the selected units' sum, with the batch dims flattened to one axis. If the
 * model or a hook throws on the way, tfjs-core leaves its gradient tape active, taping (and keeping) every
 * later op: withGradientCleanup releases it.
 */
function inputGradients(model: KeyedModel, inputs: readonly tf.Tensor[], mask: tf.Tensor2D): tf.Tensor[] {
  const rows = mask.shape[0];
  return withGradientCleanup(() =>
    tf.grads((...xs: tf.Tensor[]) => {
      const [output] = model.callTensors(xs);
      return tf.sum(tf.mul(tf.reshape(output as tf.Tensor, [rows, -1]), mask));
    })([...inputs]),
  );
}

/**
 * Input × gradient (Shrikumar et al. 2016; captum's `InputXGradient`): the gradient of the selected output
 * unit with respect to each model input, times that input, written to `['attr', <input key>]` next to the
 * model's outputs. Written against `@tdhook/core` and `@tensorflow/tfjs-core` only, so that it runs anywhere
 * a tdhook method runs: `tdhook explain --plugin ./apps/example-plugin --method example/input-times-gradient`
 * from the repository (the package is not published; a package folder works as a plugin once built).
 *
 * @example
 * using prepared = inputTimesGradient({ target: { select: 'argmax' } }).prepare(model);
 * using result = prepared.run(new TensorDict({ input: x }, { batchShape: [4] }));
 * result.getTensor(['attr', 'input']); // shaped like x
 */
export const inputTimesGradient: MethodFactory<InputTimesGradientOptions, ConfiguredInputTimesGradient> =
  /* @__PURE__ */ defineMethod<InputTimesGradientOptions, ConfiguredInputTimesGradient>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Input × gradient of the selected output unit',
    configure: checkOptions,
    // A forward pass for the scores (and argmax), then one for the gradient.
    requirements: () => ({ modelPasses: 2, gradients: 'required' }),
    // plan and bind get the configured options: target.select and multiplyByInput are always there.
    plan: (_options, model) => ({
      hooks: [],
      inKeys: model.inKeys,
      outKeys: model.inKeys.map((key) => ['attr', ...key] as const),
    }),
    bind: (options, context) => ({
      run: (data: TensorDict): TensorDict => {
        const model = context.model;
        const result = model.run(data); // the data's entries and the model's outputs
        try {
          const batchRank = data.batchShape.length;
          const attributions = tf.tidy(() => {
            const inputs = model.inKeys.map((key) => {
              const x = data.getTensor(key);
              return tf.reshape(x, [-1, ...x.shape.slice(batchRank)]);
            });
            const output = result.getTensor(model.outKeys[0] ?? 'output');
            const scores = tf.reshape<tf.Rank.R2>(output, [inputs[0]?.shape[0] ?? 1, -1]);
            const units = unitsOf(options.target.select, scores);
            const mask = tf.oneHot(tf.tensor1d(units, 'int32'), scores.shape[1]) as tf.Tensor2D;
            return inputGradients(model, inputs, mask).map((gradient, index) => {
              const x = inputs[index] as tf.Tensor;
              const value = options.multiplyByInput ? tf.mul(gradient, x) : gradient;
              return tf.reshape(value, data.getTensor(model.inKeys[index] ?? 'input').shape);
            });
          });
          // set() takes ownership; on a failure, what was not handed over yet is disposed here.
          attributions.forEach((attribution, index) => {
            try {
              result.set(['attr', ...(model.inKeys[index] ?? ['input'])], attribution);
            } catch (error) {
              tf.dispose(attributions.slice(index));
              throw error;
            }
          });
          return result;
        } catch (error) {
          result.dispose();
          throw error;
        }
      },
    }),
  });
