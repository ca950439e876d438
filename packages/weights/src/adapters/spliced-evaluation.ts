import * as tf from '@tensorflow/tfjs-core';
import {
  InvalidValueError,
  KeyedModel,
  resolveModule,
  type ModelKeys,
  type ModelNode,
  type TensorDict,
} from '@tdhook/core';
import {
  checkOptionNames,
  describeStructure,
  isModelNode,
  isTensor,
  isTensorDict,
} from '@tdhook/core/plugin';

import type { Adapter } from './adapter.js';
import { checkAdapterEntries } from './adapter-entries.js';
import { adapters } from './adapters-method.js';

const where = 'splicedEvaluation';

/**
 * The per-batch metric of {@link splicedEvaluation}: gets the model run's result (the batch's entries plus the
 * model outputs under its outKeys) and returns the batch's mean loss, or any other scalar such as an
 * accuracy, as a scalar tensor (freed for you) or a number.
 *
 * @example
 * const meanOutput: SplicedMetric = (result) => tf.mean(result.getTensor('output'));
 */
export type SplicedMetric = (result: TensorDict) => tf.Tensor | number;

/**
 * Options of {@link splicedEvaluation}.
 *
 * @example
 * const options: SplicedEvaluationOptions = {
 *   model, adapter: sae, from: 'blocks.0.hook_resid_post', data: batches, loss: nextTokenLoss(),
 * };
 */
export interface SplicedEvaluationOptions {
  /** The user's model: a tdhook Module or a TF.js Layers model. Left as it was. */
  readonly model: ModelNode;
  /** The model's keys (default `inKeys: ['input']`, `outKeys: ['output']`). */
  readonly keys?: ModelKeys;
  readonly adapter: Adapter;
  /** The module whose output the adapter reads. */
  readonly from: string;
  /** The module whose output the adapter's result replaces (and that zero-ablation zeroes); default `from`. */
  readonly to?: string;
  /** One batch, or batches (any iterable, read once). Each batch is weighted by its number of samples. */
  readonly data: TensorDict | Iterable<TensorDict>;
  /** The batch's mean loss (or accuracy: the recovered fraction reads the same either way). */
  readonly loss: SplicedMetric;
}

/**
 * What {@link splicedEvaluation} measured: the metric of the model as it is (`clean`), with the adapter spliced
 * in (`spliced`) and with `to`'s output replaced by zeros (`zeroAblated`), each the sample-weighted mean over
 * the batches, and the fraction of the metric the adapter recovers,
 * `(zeroAblated − spliced) / (zeroAblated − clean)`: 1 for a perfect adapter, 0 for one no better than
 * zeroing the site (NaN when zeroing the site changes nothing).
 *
 * @example
 * const { clean, spliced, lossRecovered }: SplicedEvaluation = splicedEvaluation(options);
 */
export interface SplicedEvaluation {
  readonly clean: number;
  readonly spliced: number;
  readonly zeroAblated: number;
  readonly lossRecovered: number;
}

const optionNames = ['model', 'keys', 'adapter', 'from', 'to', 'data', 'loss'];

function checkOptions(options: SplicedEvaluationOptions): void {
  checkOptionNames(
    options,
    optionNames,
    { path: 'Name the site with from (and to, for a cross-layer adapter such as a transcoder).' },
    where,
  );
  if (!isModelNode(options.model)) {
    throw new InvalidValueError({
      what: `model must be a tdhook Module or a TF.js Layers model, got ${describeStructure(options.model)}`,
      where,
      fix: 'Pass the model the adapter is spliced into.',
    });
  }
  if (typeof options.loss !== 'function') {
    throw new InvalidValueError({
      what: `loss must be a function (result) => scalar, got ${describeStructure(options.loss)}`,
      where,
      fix: "E.g. loss: nextTokenLoss(), or (result) => tf.mean(result.getTensor('output')).",
    });
  }
}

function batchesOf(data: SplicedEvaluationOptions['data']): TensorDict[] {
  const list = isTensorDict(data)
    ? [data]
    : typeof (data as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] === 'function'
      ? [...data]
      : undefined;
  if (list === undefined || list.length === 0 || !list.every((batch) => isTensorDict(batch))) {
    throw new InvalidValueError({
      what: `data must be a TensorDict or a non-empty iterable of TensorDicts, got ${list?.length === 0 ? 'no batch' : describeStructure(data)}`,
      where,
      fix: 'Pass the evaluation batches, e.g. [new TensorDict({ input }, { batchShape: [n] })].',
    });
  }
  return list;
}

/** The metric of one run's result, as a finite number; the result and every tensor made on the way freed. */
function measure(loss: SplicedMetric, result: TensorDict, run: string): number {
  try {
    let value = Number.NaN;
    let shown = '';
    tf.tidy(() => {
      const out: unknown = loss(result);
      if (typeof out === 'number') value = out;
      else if (isTensor(out) && out.size === 1) value = out.dataSync()[0] ?? Number.NaN;
      else shown = describeStructure(out);
    });
    if (shown !== '' || !Number.isFinite(value)) {
      throw new InvalidValueError({
        what: `loss returned ${shown !== '' ? shown : String(value)} for the ${run} run, not a finite scalar`,
        where,
        fix: 'Return the batch mean as a scalar tensor or a number (e.g. tf.mean(...)).',
      });
    }
    return value;
  } finally {
    result.dispose();
  }
}

function samplesOf(batch: TensorDict): number {
  return batch.batchShape.reduce((total, size) => total * size, 1);
}

/**
 * The model's loss (or accuracy) with an adapter spliced in, next to the clean model's and the zero-ablated
 * one's (the site's output replaced by zeros), and the standard fraction of loss recovered,
 * `(zeroAblated − spliced) / (zeroAblated − clean)`. Each batch runs three times: the model as it is, through
 * {@link adapters} with the adapter, and through {@link adapters} with a zeroing adapter on `to`; each metric is
 * the sample-weighted mean of the batch values `loss` returns. The model is left exactly as it was (the
 * adapters are hooks, restored after each run, also after an error).
 *
 * Typed errors before any run: bad options, a path the model lacks (`UnknownPathError`), no batches. At run:
 * what {@link adapters} checks (the adapter's shape and dtype), a non-scalar or non-finite loss.
 *
 * @example
 * const { clean, spliced, zeroAblated, lossRecovered } = splicedEvaluation({
 *   model, adapter: sae, from: 'blocks.0.hook_resid_post', data: batches, loss: nextTokenLoss(),
 * });
 */
export function splicedEvaluation(options: SplicedEvaluationOptions): SplicedEvaluation {
  checkOptions(options);
  const { model, keys, adapter, from, loss } = options;
  const to = options.to ?? from;
  checkAdapterEntries({ spliced: { adapter, from, to } }, where);
  resolveModule(model, from);
  resolveModule(model, to);
  const batches = batchesOf(options.data);
  const keyed = new KeyedModel(model, keys);
  const spliced = adapters({ adapters: { spliced: { adapter, from, to } } });
  const zeroing: Adapter = (_value, { output }) => tf.zerosLike(output);
  const ablated = adapters({ adapters: { 'zero-ablation': { adapter: zeroing, from: to } } });

  const totals = { clean: 0, spliced: 0, zeroAblated: 0 };
  let samples = 0;
  for (const batch of batches) {
    const weight = samplesOf(batch);
    samples += weight;
    totals.clean += weight * measure(loss, keyed.run(batch), 'clean');
    for (const [method, field] of [
      [spliced, 'spliced'],
      [ablated, 'zeroAblated'],
    ] as const) {
      using prepared = method.prepare(model, keys);
      totals[field] +=
        weight * measure(loss, prepared.run(batch), field === 'spliced' ? 'spliced' : 'zero-ablated');
    }
  }
  const clean = totals.clean / samples;
  const splicedValue = totals.spliced / samples;
  const zeroAblated = totals.zeroAblated / samples;
  return {
    clean,
    spliced: splicedValue,
    zeroAblated,
    lossRecovered: zeroAblated === clean ? Number.NaN : (zeroAblated - splicedValue) / (zeroAblated - clean),
  };
}
