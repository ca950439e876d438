import * as tf from '@tensorflow/tfjs-core';
import {
  formatKey,
  InvalidValueError,
  resolveModule,
  TdhookError,
  UnknownPathError,
  type HookSpec,
  type KeyPath,
  type MethodFactory,
  type ModelNode,
  type TensorDict,
} from '@tdhook/core';
import {
  defineMethod,
  keyStartsWith,
  type BindContext,
  type MethodModelInfo,
  type MethodRunner,
} from '@tdhook/core/plugin';

import { checkMetricValue } from '../metric/patching-metric.js';
import { checkOwnKey } from '../methods/run-inputs.js';
import type { SiteGrid } from '../sites/patch-site.js';
import { readPatchingInputs } from './grid-inputs.js';
import { publishGrid } from './grid-results.js';
import { gridChunks, patchingGridPasses } from './grid-schedule.js';
import {
  configurePatchingGrid,
  type ActivationPatchingGridOptions,
  type ConfiguredPatchingGrid,
} from './patching-grid-options.js';
import { SitePatcher } from './site-patcher.js';

const id = 'intervention/activation-patching-grid';
const where = 'activationPatchingGrid';

const distinctPaths = (sites: SiteGrid): string[] => [...new Set(sites.sites.map((site) => site.path))];

/** Per site path: a capture (source pass) and a prepended replace (patched passes), as activationPatching. */
function hookSpecs(sites: SiteGrid): HookSpec[] {
  return distinctPaths(sites).flatMap((path) => [
    { path, direction: 'forward' as const, operation: 'capture' },
    { path, direction: 'forward' as const, operation: 'replace', prepend: true },
  ]);
}

/** Every site path must name a module of the model: checked when the method is prepared. */
function checkSitePaths(sites: SiteGrid, node: ModelNode): void {
  sites.sites.forEach((site, index) => {
    try {
      resolveModule(node, site.path);
    } catch (error) {
      if (!TdhookError.is(error)) throw error;
      throw new UnknownPathError({
        what: `Site '${site.label}' (sites[${index}]) names '${site.path}', which the model does not have: ${error.message}`,
        where: `${where} sites`,
        fix: 'Use module paths of this model (namedModules(model); a HookedTransformer lists its hook points with model.hookPoints()).',
        cause: error,
      });
    }
  });
}

/**
 * The keys must not overlap: patchKey and resultKey not a model input or output (as activationPatching's
 * patchKey), and resultKey not the receiving run's inputs.
 */
function checkKeys(options: ConfiguredPatchingGrid, model: MethodModelInfo): void {
  checkOwnKey(options.patchKey, 'patchKey', model, where);
  checkOwnKey(options.resultKey, 'resultKey', model, where);
  const { patchKey, resultKey } = options;
  if (keyStartsWith(patchKey, resultKey) || keyStartsWith(resultKey, patchKey)) {
    throw new InvalidValueError({
      what: `resultKey ${formatKey(resultKey)} overlaps patchKey ${formatKey(patchKey)}, where the receiving run's inputs are`,
      where: `${where} resultKey`,
      fix: "Write results under a key of their own, e.g. resultKey: 'patching'.",
    });
  }
}

function bindGrid(options: ConfiguredPatchingGrid, context: BindContext): MethodRunner {
  const { sites, metric, patchKey, maxRowsPerPass, onProgress } = options;
  const patcher = new SitePatcher(sites, where);
  // Registered first, so it runs after the hooks are gone.
  context.onRestore(() => {
    patcher.clear();
  });
  for (const path of patcher.paths) {
    context.hook({ path, direction: 'forward', operation: 'capture' }, patcher.capture(path));
    context.hook({ path, direction: 'forward', operation: 'replace', prepend: true }, patcher.replace(path));
  }
  const model = context.model;

  // One metric value per row of a pass, checked before anything else reads it; a [rows] tensor the caller owns.
  // `keep` (the source pass): also the model outputs of the first `keep` rows, the source run's.
  const measure = (
    inputs: readonly tf.Tensor[],
    rows: number,
    pass: string,
    keep = 0,
  ): { readonly metric: tf.Tensor; readonly outputs: tf.Tensor[] } =>
    tf.tidy(() => {
      const outputs = model.callTensors(inputs);
      const value = checkMetricValue(metric(outputs[0] as tf.Tensor, outputs), rows, `${where} ${pass}`);
      return {
        // A new handle: the metric may return a tensor it does not own.
        metric: tf.reshape(value, [rows]),
        outputs: keep === 0 ? [] : outputs.map((output) => tf.slice(output, 0, keep)),
      };
    });

  const run = (data: TensorDict): TensorDict => {
    const inputs = readPatchingInputs(data, model.inKeys, patchKey, where);
    const { samples } = inputs;
    const shape = { cells: sites.sites.length, samples, maxRowsPerPass };
    const chunks = gridChunks(shape);
    const totalPasses = patchingGridPasses(shape);
    const report = (cells: number, passes: number): void =>
      onProgress?.({ cells, totalCells: shape.cells, passes, totalPasses });
    const patched: tf.Tensor[] = [];
    let reference: tf.Tensor | undefined;
    let sourceOutputs: tf.Tensor[] = [];
    let tiled: { readonly cells: number; readonly inputs: tf.Tensor[] } | undefined;
    try {
      // The source pass: source rows then receiving rows (the baseline), caching every site path's value.
      patcher.beginSource(samples);
      const stacked = inputs.source.map((source, index) =>
        tf.concat([source, inputs.receiving[index] as tf.Tensor], 0),
      );
      try {
        ({ metric: reference, outputs: sourceOutputs } = measure(
          stacked,
          2 * samples,
          `source pass (${samples} source rows, then ${samples} receiving rows)`,
          samples,
        ));
      } finally {
        tf.dispose(stacked);
      }
      patcher.endSource();
      report(0, 1);
      let done = 0;
      for (const [index, chunk] of chunks.entries()) {
        // The receiving inputs tiled cell by cell, built again only when a pass has another number of cells.
        if (tiled?.cells !== chunk.count) {
          tf.dispose(tiled?.inputs);
          tiled = {
            cells: chunk.count,
            inputs: inputs.receiving.map((receiving) =>
              tf.tile(receiving, [chunk.count, ...receiving.shape.slice(1).map(() => 1)]),
            ),
          };
        }
        try {
          patcher.beginChunk(chunk);
          patched.push(
            measure(
              tiled.inputs,
              chunk.count * samples,
              `patched pass (${chunk.count} cells × ${samples} samples)`,
            ).metric,
          );
        } finally {
          patcher.endChunk();
        }
        done += chunk.count;
        report(done, index + 2);
      }
      return publishGrid({
        data,
        sites,
        resultKey: options.resultKey,
        reference,
        patched,
        samples,
        outputs: model.outKeys.map((key, index) => [key, sourceOutputs[index] as tf.Tensor] as const),
      });
    } finally {
      patcher.clear();
      tf.dispose([
        ...inputs.source,
        ...inputs.receiving,
        ...patched,
        ...sourceOutputs,
        ...(tiled?.inputs ?? []),
      ]);
      reference?.dispose();
    }
  };
  return { run };
}

/**
 * Activation patching over a grid of sites, batched: what TransformerLens users build by hand. For each site
 * of `sites` (a head, a layer at a position, a head at a position, a channel, any user-defined site), the
 * receiving (corrupted) run is repeated with that site's value taken from the source (clean) run, and
 * `metric` measured. One source pass runs the source and receiving inputs stacked (the source and baseline
 * metrics) and caches every site path's value; then the receiving inputs are tiled cells × samples and the
 * patched runs of many cells go through the model in one batch, `maxRowsPerPass` rows at most, a forward
 * replace hook per site path writing the cached values into the rows of the cells at that path, only at the
 * site's elements (`tf.where`: exact, the result equals one run per cell).
 *
 * Data: the source inputs under the model's input keys, the receiving inputs under
 * `[...patchKey, ...inKey]` (default `'patched'`), of the same shapes; any batch dims. Results: a new
 * TensorDict with the data's entries, the source run's outputs under the model's output keys (as every
 * method's run, so that the grid is a `Workflow` step like attributionPatching), and `[...resultKey, 'patched_metric' | 'effect' | 'normalized']` of
 * shape `[...batchShape, ...sites.shape]` (effect = patched − baseline, normalized = effect / (source −
 * baseline): NaN or ±Infinity where source equals baseline), and `[...resultKey, 'source_metric' |
 * 'baseline_metric']` of shape `[...batchShape]`. `LabelledGrid.fromSamples` averages a grid over samples.
 *
 * Passes: `1 + ceil(cells / max(1, floor(maxRowsPerPass / samples)))` (see `patchingGridPasses`), so they
 * depend on the batch; `requirements.modelPasses` states them for a one-sample batch, the fewest there are.
 * Errors come before any model call for unknown site paths (at prepare), missing inputs, source and
 * receiving inputs of different shapes and bad options; a metric that does not return `[rows]`, a site
 * outside its path's value and a site path the model does not run are caught after the source pass,
 * before any patched pass. The model is restored after every error; nothing is left allocated.
 *
 * @example
 * using prepared = activationPatchingGrid({
 *   sites: headSites(model.config),
 *   metric: logitDifference({ answer: 51, versus: 61 }),
 * }).prepare(model);
 * using data = new TensorDict({ input: clean, patched: { input: corrupted } }, { batchShape: [1] });
 * using result = prepared.run(data);
 * result.getTensor(['patching', 'effect']); // [1, 2, 4]: layer × head
 */
export const activationPatchingGrid: MethodFactory<ActivationPatchingGridOptions, ConfiguredPatchingGrid> =
  /* @__PURE__ */ defineMethod<ActivationPatchingGridOptions, ConfiguredPatchingGrid>({
    contract: 'tdhook.method/1',
    id,
    summary: 'Activation patching over a grid of sites (heads, layers × positions, …), batched',
    configure: configurePatchingGrid,
    requirements: ({ sites, maxRowsPerPass }) => ({
      modelPasses: patchingGridPasses({ cells: sites.sites.length, samples: 1, maxRowsPerPass }),
      gradients: 'disabled',
    }),
    plan: (options, model) => {
      checkKeys(options, model);
      if (model.node !== undefined) checkSitePaths(options.sites, model.node);
      return {
        hooks: hookSpecs(options.sites),
        inKeys: [...model.inKeys, ...model.inKeys.map((key): KeyPath => [...options.patchKey, ...key])],
        outKeys: ['patched_metric', 'effect', 'normalized', 'source_metric', 'baseline_metric'].map(
          (name): KeyPath => [...options.resultKey, name],
        ),
      };
    },
    bind: bindGrid,
  });
