// A nested tf.grads on a tape of its own: one of the TF.js internals that live in @tdhook/tfjs-internals.
export { isolatedGradients } from '@tdhook/tfjs-internals';
