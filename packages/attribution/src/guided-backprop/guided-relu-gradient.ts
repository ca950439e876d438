import * as tf from '@tensorflow/tfjs-core';
import { withGradientOverride } from '@tdhook/tfjs-internals';

// The engine reads a kernel's registered gradient when the kernel runs (tape recording), so swapping the
// 'Relu' gradient around a forward + backward pass changes every ReLU of that pass, and nothing else. Fused
// ops (Dense or Conv2D with activation 'relu') are included: tfjs-core does not fuse while a gradient tape
// records (`shouldFuse`; @tdhook/tfjs-internals' self-check verifies it), so their ReLU runs as a 'Relu'
// kernel too (the fused-twin test checks this).

/** Guided backpropagation at a ReLU: `g ↦ max(g, 0)·[z > 0]` (captum's `relu(grad_input)`). */
const guidedRelu: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => tf.mul(tf.relu(dy as tf.Tensor), tf.cast(tf.step(x), 'float32')) };
  },
};

/**
 * Runs `run` with the gradient of the 'Relu' kernel replaced by the guided one; the previous gradient is back
 * when it returns or throws. Nested calls are fine.
 */
export function withGuidedReluGradient<T>(run: () => T): T {
  return withGradientOverride(guidedRelu, run);
}
