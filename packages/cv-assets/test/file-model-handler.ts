import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { io } from '@tensorflow/tfjs-core';

/**
 * A minimal load handler for a TF.js model folder (`model.json` + the weight files its manifest names), for
 * these tests only: the real loader is @tdhook/adapter-cv's, which this package must not depend on.
 *
 * @example
 * const model = await tfl.loadLayersModel(fileModelHandler(mnistCnnDir));
 */
export function fileModelHandler(dir: string): io.IOHandler {
  return {
    load: () => {
      const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as io.ModelJSON;
      const groups = modelJson.weightsManifest;
      const weights = Buffer.concat(
        groups.flatMap((group) => group.paths.map((p) => readFileSync(join(dir, p)))),
      );
      return Promise.resolve({
        modelTopology: modelJson.modelTopology,
        format: modelJson.format ?? 'layers-model',
        weightSpecs: groups.flatMap((group) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      });
    },
  };
}
