import { TdhookError, type TdhookErrorInit } from '@tdhook/core';

/**
 * What can go wrong between files and tensors in @tdhook/adapter-cv; `code` says which:
 * - `E_CV_FILE`: a path does not exist or cannot be read;
 * - `E_CV_MODEL`: a model folder or model.json is not a TF.js Layers or Graph model, or its weights do not fit;
 * - `E_CV_IMAGE`: a file is not a PNG or JPEG image, or an image cannot become the tensor asked for;
 * - `E_CV_GRAPH`: a Graph model cannot do what was asked (a node that does not exist, a replacement TF.js
 *   cannot feed, a model that needs asynchronous execution);
 * - `E_CV_METHOD`: `explainImages` cannot run a method: it is not registered, or it does not write an
 *   attribution shaped like the images under `['attr', 'input']`.
 *
 * @example
 * try {
 *   await loadModel('models/missing');
 * } catch (error) {
 *   if (TdhookError.is(error) && error.code === 'E_CV_FILE') console.error(error.message);
 * }
 */
export class CvError extends TdhookError {
  override readonly name: string = 'CvError';

  constructor(
    code: 'E_CV_FILE' | 'E_CV_MODEL' | 'E_CV_IMAGE' | 'E_CV_GRAPH' | 'E_CV_METHOD',
    init: TdhookErrorInit,
  ) {
    super({ code, ...init });
  }
}
