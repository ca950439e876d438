// The tape clean-up lives with the other TF.js internals in @tdhook/tfjs-internals; core re-exports it for
// users who recover from a failed gradient computation.
export { withGradientCleanup } from '@tdhook/tfjs-internals';
