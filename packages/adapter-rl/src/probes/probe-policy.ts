import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  KeyedModel,
  MissingKeyError,
  type ModelNode,
  type TensorDict,
} from '@tdhook/core';
import { activationCaching, logisticRegression, ridgeRegression, type Estimator } from '@tdhook/probing';

import { activationKey as cacheKey } from './activation-key.js';
import { policyRows } from './policy-rows.js';
import { featureRows, keyName, layerPaths } from './probe-layers.js';
import { checkOptions, where, type ProbePolicyOptions, type ProbeRow } from './probe-policy-options.js';
import { TargetScorer, type NamedTarget } from './probe-scores.js';
import { targetValues } from './probe-target.js';
import { standardized } from './standardized.js';

/**
 * Action and state probes on a policy, layer by layer. Runs `policy` once over `data` (a rollout's
 * trajectory `[T]` or `[N, T]`, or any TensorDict of observations; rows whose `mask` is false are left out),
 * caching every probed layer's output, then, for every layer and target, cross-validates a linear probe
 * (seeded k-fold over shuffled rows) and the same probe on shuffled labels. Targets are read from the
 * policy's run: the data's keys, and what the policy writes on them (its own greedy `action` and `value`,
 * which replace the data's). Classifications use logistic regression scored by accuracy, regressions ridge
 * regression scored by R². Rows come layer by layer (the baseline first), targets in the given order.
 * The policy is restored and every tensor freed, also after an error.
 *
 * @example
 * const rows = probePolicy(cartPolePolicy(), trajectory, {
 *   targets: {
 *     action: { key: 'action' },
 *     value: { key: 'value' },
 *     pole_angle: { key: 'observation', column: 2 },
 *     cart_velocity: { key: 'observation', column: 1 },
 *   },
 *   folds: 5,
 *   seed: 0,
 * });
 * console.log(formatProbeTable(rows));
 */
export function probePolicy(policy: ModelNode, data: TensorDict, options: ProbePolicyOptions): ProbeRow[] {
  checkOptions(options);
  const { targets, baseline = 'observation', folds = 5, seed = 0, standardize = true } = options;
  const paths = layerPaths(policy, options.layers);
  const method = paths.length === 0 ? undefined : activationCaching({ select: paths, cacheKey });
  const rows = policyRows(data);
  const owned: tf.Tensor[] = [];
  let result: TensorDict | undefined;
  let scorer: TargetScorer | undefined;
  try {
    if (baseline !== null && !(rows.has(baseline) && rows.get(baseline) instanceof tf.Tensor)) {
      throw new MissingKeyError({
        what: `The data has no ${formatKey(baseline)} to probe as the baseline`,
        where: `${where} options.baseline`,
        fix: "Name the policy's input key (e.g. baseline: 'observation'), or pass baseline: null.",
      });
    }
    const n = rows.batchShape[0] ?? 0;
    if (folds > n) {
      throw new InvalidValueError({
        what: `${folds} folds need at least ${folds} rows; the data has ${n}`,
        where: `${where} options.folds`,
        fix: 'Collect more steps, or use fewer folds.',
      });
    }
    if (method === undefined) {
      result = new KeyedModel(policy, options.keys).run(rows); // the baseline alone: nothing to cache
    } else {
      const prepared = method.prepare(policy, options.keys);
      try {
        result = prepared.run(rows);
      } finally {
        prepared.restore();
      }
    }
    const named: NamedTarget[] = Object.entries(targets).map(([name, target]) => {
      const { values, kind } = targetValues(result as TensorDict, name, target);
      owned.push(values);
      return { name, kind, values };
    });
    const layers: [string, tf.Tensor][] = [];
    if (baseline !== null) layers.push([keyName(baseline), featureRows(rows.getTensor(baseline))]);
    for (const path of paths) layers.push([path, featureRows(result.getTensor([cacheKey, path]))]);
    owned.push(...layers.map(([, x]) => x));
    const probeOf = (make: () => Estimator): (() => Estimator) =>
      standardize ? () => standardized(make()) : make;
    scorer = new TargetScorer(named, {
      classifier: probeOf(options.classifier ?? (() => logisticRegression())),
      regressor: probeOf(options.regressor ?? (() => ridgeRegression())),
      folds,
      seed,
    });
    const out: ProbeRow[] = [];
    for (const [layer, x] of layers) {
      const scores = scorer.scores(x);
      for (const { name, kind } of named) {
        const { score, control } = scores.get(name) ?? { score: Number.NaN, control: Number.NaN };
        const metric = kind === 'classification' ? 'accuracy' : 'r2';
        out.push({ layer, target: name, metric, score, control, features: x.shape[1] ?? 0 });
      }
    }
    return out;
  } finally {
    scorer?.dispose();
    tf.dispose(owned);
    result?.dispose();
    rows.dispose();
  }
}
