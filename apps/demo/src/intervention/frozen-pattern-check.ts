// Why AtP and RelP can miss a layer-0 head: its effect may run through layer 1's attention pattern (which name
// the later heads attend to), a saturated softmax that AtP linearises and that RelP's rules hold constant. The
// check patches the head from the clean run (activationPatching) while a second method, steeringVectors, holds
// layer 1's pattern at its corrupted value: what is left of the effect is the part that does not go through it.
import * as tf from '@tensorflow/tfjs-core';
import type { HookedTransformer } from '@tdhook/adapter-nlp';
import { activationPatching, steeringVectors } from '@tdhook/intervention';

import { patchingData, type IoiPairs } from './ioi-pairs.js';
import { mean } from './ioi-patching.js';

/** Mean metric of the corrupted prompts with `head` of layer `layer` patched from the clean ones. */
function patchedMetric(
  model: HookedTransformer,
  pairs: IoiPairs,
  layer: number,
  head: number,
  frozenPattern: string | undefined,
): number {
  using data = patchingData(pairs);
  let frozen: tf.Tensor | undefined;
  if (frozenPattern !== undefined) {
    const { logits, cache } = model.runWithCache(pairs.corrupted, { names: [frozenPattern] });
    logits.dispose();
    frozen = tf.keep(cache.getTensor(frozenPattern).clone());
    cache.dispose();
  }
  try {
    // The pattern is held in both runs; the clean run's layer-0 output, which is all that is patched, is
    // computed before it and does not change.
    using _held =
      frozen === undefined
        ? undefined
        : steeringVectors({
            modules: [frozenPattern ?? ''],
            steer: () => frozen.clone(),
          }).prepare(model);
    using prepared = activationPatching({
      modules: [{ path: `blocks.${String(layer)}.attn.hook_z`, featureAxis: 2, indices: [head] }],
    }).prepare(model);
    using result = prepared.run(data);
    const output = result.getTensor(['patched', 'output']);
    const metric = pairs.metric(output, [output]);
    try {
      return mean(metric.dataSync());
    } finally {
      metric.dispose();
    }
  } finally {
    frozen?.dispose();
  }
}

/** A head's patching effect with and without the next layer's attention pattern held at its corrupted value. */
export interface FrozenPatternCheck {
  readonly head: number;
  readonly label: string;
  readonly effect: number;
  readonly frozenEffect: number;
}

/** Patches head `head` of layer 0 with layer 1's pattern free, then held; `baseline` is the corrupted metric. */
export function frozenPatternCheck(
  model: HookedTransformer,
  pairs: IoiPairs,
  head: number,
  baseline: number,
): FrozenPatternCheck {
  return {
    head,
    label: `L0H${String(head)}`,
    effect: patchedMetric(model, pairs, 0, head, undefined) - baseline,
    frozenEffect: patchedMetric(model, pairs, 0, head, 'blocks.1.attn.hook_pattern') - baseline,
  };
}
