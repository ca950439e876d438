import * as tf from '@tensorflow/tfjs-core';

import { engine } from './engine-access.js';
import { TfjsInternalsError } from './errors.js';

/**
 * Runs a kernel with one output directly on the active backend, outside any op (as tfjs-core's ops do
 * inside): for tests of a kernel and its patches. On `@tdhook/tfjs-internals/testing`.
 *
 * @throws {@link TfjsInternalsError} with code `E_TFJS_INVALID_CALL` when the kernel returned several
 *   outputs (they are disposed).
 *
 * @example
 * const dx = runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
 */
export function runKernel(
  kernelName: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap = {},
): tf.Tensor {
  const result = engine().runKernel(kernelName, inputs, attrs);
  if (Array.isArray(result)) {
    tf.dispose(result);
    throw new TfjsInternalsError({
      code: 'E_TFJS_INVALID_CALL',
      what: `The ${kernelName} kernel returned ${String(result.length)} outputs; runKernel runs kernels with one`,
      where: `runKernel('${kernelName}')`,
      fix: 'Run a kernel with several outputs through its op (e.g. tf.topk for TopK).',
    });
  }
  return result;
}
