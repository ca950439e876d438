import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  MissingKeyError,
  resolveModule,
  ShapeMismatchError,
  TensorDict,
  type KeyedModel,
  type KeyPath,
  type MethodFactory,
} from '@tdhook/core';
import { defineMethod, type BindContext, type MethodRunner } from '@tdhook/core/plugin';
import { captureSpecs, ModuleCaptures } from '@tdhook/attribution/plugin';

import { checkMetricValue, type PatchingMetric } from '../metric/patching-metric.js';
import type { SiteGrid } from '../sites/patch-site.js';
import {
  configureAttributionPatching,
  type AttributionPatchingOptions,
  type ConfiguredAttributionPatching,
} from './attribution-patching-options.js';
import { receivingPass } from './receiving-pass.js';
import { installRelpRules, relpRuleSpecs } from './relp-rules.js';
import { groupSitesByPath, planPathReduction, reducePath, type PathReduction } from './site-reduction.js';

const id = 'intervention/attribution-patching';

const join = (base: KeyPath, tail: readonly string[]): KeyPath => [...base, ...tail] as unknown as KeyPath;

const resultKeys = (resultKey: KeyPath): KeyPath[] =>
  ['estimate', 'source_metric', 'baseline_metric'].map((name) => join(resultKey, [name]));

const sitePaths = (sites: SiteGrid): string[] => [...new Set(sites.sites.map((site) => site.path))];

/** The two runs' inputs, read and checked before any model call; rows first. Owned by the caller. */
function readRuns(
  model: KeyedModel,
  data: TensorDict,
  patchKey: KeyPath,
): { source: tf.Tensor[]; receiving: tf.Tensor[]; rows: number } {
  const batchShape = data.batchShape;
  const rows = batchShape.reduce((product, size) => product * size, 1);
  const pairs = model.inKeys.map((key) => {
    const patched = join(patchKey, key);
    for (const [wanted, role] of [
      [key, 'the source (clean) run'],
      [patched, 'the receiving (corrupted) run'],
    ] as const) {
      if (!data.has(wanted)) {
        throw new MissingKeyError({
          what: `The model input ${formatKey(key)} of ${role} is not in the TensorDict: ${formatKey(wanted)} is missing`,
          where: id,
          fix: `Put the clean inputs under the model's input keys and the corrupted ones under the same keys inside ${formatKey(patchKey)} (e.g. new TensorDict({ input: clean, patched: { input: corrupted } })), or set patchKey.`,
        });
      }
    }
    const source = data.getTensor(key);
    const receiving = data.getTensor(patched);
    if (
      source.dtype !== receiving.dtype ||
      source.rank !== receiving.rank ||
      source.shape.some((size, axis) => size !== receiving.shape[axis])
    ) {
      throw new ShapeMismatchError({
        what: `The clean input ${formatKey(key)} is ${source.dtype} [${source.shape.join(', ')}] but the corrupted ${formatKey(patched)} is ${receiving.dtype} [${receiving.shape.join(', ')}]`,
        where: id,
        fix: 'Attribution patching compares the two runs element by element: give prompts of the same length (pad or choose equal-length pairs) and dtype.',
      });
    }
    return [source, receiving] as const;
  });
  const flat = (value: tf.Tensor): tf.Tensor =>
    tf.reshape(value, [rows, ...value.shape.slice(batchShape.length)]);
  return {
    source: pairs.map(([source]) => flat(source)),
    receiving: pairs.map(([, receiving]) => flat(receiving)),
    rows,
  };
}

/** The source run: a plain forward pass, each path's output captured, the metric checked on it. */
function sourcePass(
  model: KeyedModel,
  inputs: readonly tf.Tensor[],
  captures: ModuleCaptures,
  metric: PatchingMetric,
  rows: number,
): { outputs: tf.Tensor[]; values: tf.Tensor[]; metric: tf.Tensor } {
  let values: tf.Tensor[] = [];
  try {
    const { outputs, value } = tf.tidy(() => {
      const collected = captures.collect(() => model.callTensors(inputs));
      values = collected.values;
      const outputs = collected.result;
      return { outputs, value: checkMetricValue(metric(outputs[0] as tf.Tensor, outputs), rows, id) };
    });
    return { outputs, values, metric: value };
  } catch (error) {
    tf.dispose(values);
    throw error;
  }
}

/** `Σ (a_source − a_receiving) ⊙ g` per site, `[rows, cells]` in the grid's cell order. */
function siteEstimates(
  reductions: readonly PathReduction[],
  source: readonly tf.Tensor[],
  receiving: readonly tf.Tensor[],
  gradients: readonly tf.Tensor[],
  cells: number,
): tf.Tensor {
  return tf.tidy(() => {
    const columns = reductions.map((reduction, index) => {
      const delta = tf.sub(source[index] as tf.Tensor, receiving[index] as tf.Tensor);
      return reducePath(reduction, tf.mul(delta, gradients[index] as tf.Tensor));
    });
    const byPath = columns.length === 1 ? (columns[0] as tf.Tensor) : tf.concat(columns, 1);
    const order = reductions.flatMap((reduction) => reduction.cells);
    if (order.every((cell, index) => cell === index)) return byPath;
    const columnOfCell = new Array<number>(cells);
    order.forEach((cell, column) => (columnOfCell[cell] = column));
    return tf.gather(byPath, tf.tensor1d(columnOfCell, 'int32'), 1);
  });
}

function checkRanOnce(
  values: readonly tf.Tensor[],
  reference: readonly tf.Tensor[],
  paths: readonly string[],
): void {
  values.forEach((value, index) => {
    const expected = reference[index] as tf.Tensor;
    if (value.shape.some((size, axis) => size !== expected.shape[axis]) || value.rank !== expected.rank) {
      throw new ShapeMismatchError({
        what: `Module '${paths[index] ?? ''}' returned [${value.shape.join(', ')}] on the corrupted run but [${expected.shape.join(', ')}] on the clean run`,
        where: id,
        fix: 'Attribution patching subtracts the two activations: the module must return the same shape for both runs.',
      });
    }
  });
}

function bindAttributionPatching(options: ConfiguredAttributionPatching, context: BindContext): MethodRunner {
  const { sites, metric, method, composite, patchKey, resultKey } = options;
  // Rules first, then the captures: a capture on a module that also has a rule sees the rule's output,
  // the tensor the rest of the model uses, so the gradient arriving there is the one to take.
  if (method === 'relp' && composite !== undefined) installRelpRules(composite, context);
  const groups = groupSitesByPath(sites.sites);
  const captures = new ModuleCaptures(
    context,
    groups.map((group) => group.path),
  );
  const model = context.model;
  const cells = sites.sites.length;
  const run = (data: TensorDict): TensorDict => {
    const batchShape = data.batchShape;
    const owned: tf.Tensor[] = [];
    const reductions: PathReduction[] = [];
    try {
      const inputs = readRuns(model, data, patchKey);
      owned.push(...inputs.source, ...inputs.receiving);
      const { rows } = inputs;
      const source = sourcePass(model, inputs.source, captures, metric, rows);
      owned.push(...source.outputs, ...source.values, source.metric);
      // Units out of range are found here, before the receiving run.
      groups.forEach((group, index) => {
        reductions.push(planPathReduction(group, (source.values[index] as tf.Tensor).shape));
      });
      const receiving = receivingPass(model, inputs.receiving, captures, metric, rows, id);
      owned.push(...receiving.outputs, ...receiving.values, ...receiving.gradients);
      checkRanOnce(receiving.values, source.values, captures.paths);
      const baseline = tf.tidy(() => metric(receiving.outputs[0] as tf.Tensor, receiving.outputs));
      owned.push(baseline);
      const estimate = siteEstimates(reductions, source.values, receiving.values, receiving.gradients, cells);
      owned.push(estimate);
      const [estimateKey, sourceKey, baselineKey] = resultKeys(resultKey) as [KeyPath, KeyPath, KeyPath];
      const result = new TensorDict({}, { batchShape });
      try {
        // The clean run's model outputs under the model's keys (a workflow lets every method publish them).
        // The corrupted run's stay out: two AtP/RelP steps of one workflow would write the same key.
        const unflat = (value: tf.Tensor): tf.Tensor =>
          tf.reshape(value, [...batchShape, ...value.shape.slice(1)]);
        model.outKeys.forEach((key, index) => {
          result.set(key, unflat(source.outputs[index] as tf.Tensor));
        });
        result.set(estimateKey, tf.reshape(estimate, [...batchShape, ...sites.shape]));
        result.set(sourceKey, tf.reshape(source.metric, [...batchShape]));
        result.set(baselineKey, tf.reshape(baseline, [...batchShape]));
        return result;
      } catch (error) {
        result.dispose();
        throw error;
      }
    } finally {
      tf.dispose(owned);
      for (const reduction of reductions) reduction.masks.dispose();
    }
  };
  return { run };
}

/**
 * Attribution patching (AtP; Nanda 2023, Syed et al. 2023) and relevance patching (RelP; Jafari et al.
 * 2025): a first-order estimate of what patching each site from the clean (source) run into the corrupted
 * (receiving) run would do to the metric, `Σ_site (a_clean − a_corrupted) ⊙ ∂metric/∂a`, the gradient taken
 * on the corrupted run through every later layer. Two forward passes and one backward pass for all sites
 * and all samples (rows are independent). RelP replaces the gradient with the LRP modified gradient of a
 * composite's rules (`transformerLrpComposite()` for a transformer), installed for the receiving run.
 *
 * `data` holds the clean inputs under the model's input keys and the corrupted ones under `patchKey`; the
 * result holds `[resultKey, 'estimate']` (`[...batchShape, ...sites.shape]`, which estimates an activation
 * patching grid's `effect`), the two runs' metrics, `[resultKey, 'source_metric' | 'baseline_metric']`, and
 * the clean run's model outputs under the model's output keys.
 *
 * @example
 * using prepared = attributionPatching({
 *   sites: headSites(model.config),
 *   metric: logitDifference({ answer: 51, versus: 61 }),
 * }).prepare(model);
 * using data = new TensorDict({ input: clean, patched: { input: corrupted } }, { batchShape: [1] });
 * using result = prepared.run(data);
 * result.getTensor(['atp', 'estimate']); // [1, nLayers, nHeads]
 */
export const attributionPatching: MethodFactory<AttributionPatchingOptions, ConfiguredAttributionPatching> =
  /* @__PURE__ */ defineMethod<AttributionPatchingOptions, ConfiguredAttributionPatching>({
    contract: 'tdhook.method/1',
    id,
    summary:
      'Attribution patching (AtP) and relevance patching (RelP): first-order estimates of activation patching',
    configure: configureAttributionPatching,
    requirements: () => ({ modelPasses: 2, gradients: 'required' }),
    plan: (options, model) => {
      const paths = sitePaths(options.sites);
      if (model.node !== undefined) for (const path of paths) resolveModule(model.node, path);
      const rules =
        options.method === 'relp' && options.composite !== undefined
          ? relpRuleSpecs(options.composite, model)
          : [];
      return {
        hooks: [...rules, ...captureSpecs(paths)],
        inKeys: [...model.inKeys, ...model.inKeys.map((key) => join(options.patchKey, key))],
        outKeys: [...model.outKeys, ...resultKeys(options.resultKey)],
      };
    },
    bind: bindAttributionPatching,
  });
