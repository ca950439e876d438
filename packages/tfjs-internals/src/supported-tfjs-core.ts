/**
 * The @tensorflow/tfjs-core versions this package supports: the peer range of every @tdhook package that
 * relies on TF.js internals. The self-check ({@link checkTfjsInternals}) verifies the installed one.
 *
 * @example
 * console.log(`tdhook needs @tensorflow/tfjs-core ${supportedTfjsCore}`); // '>=4.22.0 <5'
 */
export const supportedTfjsCore = '>=4.22.0 <5';
