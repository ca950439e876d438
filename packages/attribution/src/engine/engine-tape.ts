// The only place that knows tfjs-core 4.x's gradient tape internals: the engine members the attribution
// engine (RecordedPass) and LRP's nested gradients rely on; `engineTape()` checks that they are there.
import * as tf from '@tensorflow/tfjs-core';

import { AttributionError } from '../errors.js';

export interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly outputs: readonly tf.Tensor[];
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  readonly saved?: readonly tf.Tensor[];
}

export interface EngineTape {
  readonly state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
}

export function engineTape(): EngineTape {
  const engine = tf.engine() as unknown as Partial<EngineTape>;
  if (
    typeof engine.startTape !== 'function' ||
    typeof engine.endTape !== 'function' ||
    typeof engine.state?.gradientDepth !== 'number'
  ) {
    throw new AttributionError('E_ATTRIBUTION_BACKEND', {
      what: 'This @tensorflow/tfjs-core has no gradient tape that @tdhook/attribution can record',
      where: 'attribution engine',
      fix: 'Use @tensorflow/tfjs-core 4.22 or a later 4.x release.',
    });
  }
  return engine as EngineTape;
}
