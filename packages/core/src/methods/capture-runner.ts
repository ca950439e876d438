import type { TensorDict } from '../tensordict/tensor-dict.js';
import type { KeyedModel } from './keyed-model.js';
import type { MethodRunner } from './method-definition.js';

/**
 * The runner of a read-only capture method, from the one function such a method writes: `collect(data)`,
 * which moves what its hooks captured into a new TensorDict. `run` makes one model pass and publishes the
 * captures next to the model's outputs; workflows call `collect` directly after a shared pass.
 *
 * @example
 * bind: ({ paths }, context) => {
 *   // ... context.hook({ path, direction: 'forward', operation: 'capture' }, keepTheOutput) for each path
 *   return captureRunner(context.model, (data) => publishCaptures(data));
 * }
 */
export function captureRunner(model: KeyedModel, collect: (data: TensorDict) => TensorDict): MethodRunner {
  return {
    run: (data) => {
      const result = model.run(data);
      try {
        const published = collect(result);
        try {
          result.update(published);
        } finally {
          published.dispose();
        }
        return result;
      } catch (error) {
        result.dispose();
        throw error;
      }
    },
    collect,
  };
}
