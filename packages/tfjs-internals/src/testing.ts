// @tdhook/tfjs-internals/testing: for tests of kernels and kernel patches, not for library code.
export { runKernel } from './run-kernel.js';
