// activationPatchingGrid on gpt2-tiny: a batched grid equals one run per cell (also chunked small), batch
// dims, progress and pass counts, the model restored.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { namedModules, TensorDict, Workflow, type ModelNode } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';

import {
  activationPatchingGrid,
  attributionPatching,
  defaultMaxRowsPerPass,
  headPositionSites,
  headSites,
  LabelledGrid,
  logitDifference,
  patchingGridPasses,
  type PatchingGridProgress,
} from '../src/index.js';
import { flat, maxAbsError, reference, tokensOf, useTinyModel } from './gpt2-tiny-fixture.js';
import { patchEveryCell } from './grid-fixture.js';

const model = useTinyModel();

/** Hooks on every module of a model, by path: all zero when nothing is installed. */
function allHookCounts(node: ModelNode): number {
  return namedModules(node).reduce((total, [, child]) => {
    const counts = hookCounts(child);
    return total + counts.forward + counts['forward-pre'] + counts.backward + counts['backward-pre'];
  }, 0);
}

/**
 * Two samples: the reference pair clean → corrupted, and the reverse (noising), each with its own answer.
 * Source rows are the clean prompt then the corrupted one; receiving rows the other way round.
 */
function pairs(): { source: number[][]; receiving: number[][]; answer: number[]; versus: number[] } {
  const { clean, corrupted, clean_answer: a, corrupt_answer: b } = reference().patching_inputs;
  return {
    source: [clean[0] ?? [], corrupted[0] ?? []],
    receiving: [corrupted[0] ?? [], clean[0] ?? []],
    answer: [a, b],
    versus: [b, a],
  };
}

function pairData(batchShape: readonly number[] = [2]): TensorDict {
  const { source, receiving } = pairs();
  const shaped = (ids: number[][]): tf.Tensor =>
    tf.tidy(() => tf.reshape(tokensOf(ids), [...batchShape, ids[0]?.length ?? 0]));
  return new TensorDict({ input: shaped(source), patched: { input: shaped(receiving) } }, { batchShape });
}

describe('activationPatchingGrid: batched equals one run per cell', () => {
  it('a (layer, head, position) grid, two samples, in one pass and chunked into passes of 1 and 3 cells', () => {
    const m = model();
    const { source, receiving, answer, versus } = pairs();
    const metric = logitDifference({ answer, versus });
    const sites = headPositionSites(m.config, { positions: 12 });
    // One run per cell, the reference way (HookSession capture, then one patched run).
    const expected = tf.tidy(() =>
      patchEveryCell(
        m,
        ([x]) => m.call(x as tf.Tensor),
        sites.sites,
        [tokensOf(source)],
        [tokensOf(receiving)],
        metric,
      ),
    );
    const flatExpected = expected.flat();
    for (const maxRowsPerPass of [defaultMaxRowsPerPass * 4, 3, 7]) {
      const progress: PatchingGridProgress[] = [];
      using data = pairData();
      using prepared = activationPatchingGrid({
        sites,
        metric,
        maxRowsPerPass,
        onProgress: (step) => progress.push(step),
      }).prepare(m);
      using result = prepared.run(data);
      const patched = result.getTensor(['patching', 'patched_metric']);
      expect(patched.shape).toEqual([2, 2, 4, 12]);
      const error = maxAbsError(patched.dataSync(), flatExpected);
      console.info(`batched vs per cell (96 cells × 2 samples, maxRowsPerPass ${maxRowsPerPass}): ${error}`);
      expect(error).toBeLessThan(1e-6);
      const passes = patchingGridPasses({ cells: 96, samples: 2, maxRowsPerPass });
      expect(progress.length).toBe(passes);
      expect(progress.at(-1)).toEqual({ cells: 96, totalCells: 96, passes, totalPasses: passes });
      expect(progress[0]?.cells).toBe(0);
    }
    // 1 source pass + 96 / 1 cells, 96 / 3 = 32 cells per pass.
    expect(patchingGridPasses({ cells: 96, samples: 2, maxRowsPerPass: 3 })).toBe(97);
    expect(patchingGridPasses({ cells: 96, samples: 2, maxRowsPerPass: 7 })).toBe(33);
  });

  it('effect, normalized, source and baseline per sample; batch dims [2, 1] give the same grid', () => {
    const m = model();
    const { answer, versus } = pairs();
    const sites = headSites(m.config);
    const run = (batchShape: readonly number[]): Record<string, number[]> => {
      using data = pairData(batchShape);
      using prepared = activationPatchingGrid({
        sites,
        metric: logitDifference({ answer, versus }),
      }).prepare(m);
      using result = prepared.run(data);
      const read = (name: string): number[] => {
        const value = result.getTensor(['patching', name]);
        expect(value.shape.slice(0, batchShape.length)).toEqual([...batchShape]);
        return Array.from(value.dataSync());
      };
      return Object.fromEntries(
        ['patched_metric', 'effect', 'normalized', 'source_metric', 'baseline_metric'].map((name) => [
          name,
          read(name),
        ]),
      );
    };
    const flatRun = run([2]);
    const nested = run([2, 1]);
    for (const [name, values] of Object.entries(flatRun)) expect(nested[name], name).toEqual(values);
    const { clean_metric: clean, corrupted_metric: corrupted } = reference().activation_patching;
    // Sample 1 is the reverse pair: its source is the corrupted prompt, with the answers swapped.
    expect(maxAbsError(flatRun.source_metric ?? [], [clean, -corrupted])).toBeLessThan(1e-5);
    expect(maxAbsError(flatRun.baseline_metric ?? [], [corrupted, -clean])).toBeLessThan(1e-5);
    const [patched, effect, normalized] = [flatRun.patched_metric, flatRun.effect, flatRun.normalized];
    for (let index = 0; index < 16; index++) {
      const sample = Math.floor(index / 8);
      const baseline = flatRun.baseline_metric?.[sample] ?? 0;
      const gap = (flatRun.source_metric?.[sample] ?? 0) - baseline;
      expect(effect?.[index]).toBeCloseTo((patched?.[index] ?? 0) - baseline, 6);
      expect(normalized?.[index]).toBeCloseTo((effect?.[index] ?? 0) / gap, 5);
    }
  });

  it('LabelledGrid.fromSamples reads the result; the model is restored and unchanged', () => {
    const m = model();
    const before = allHookCounts(m);
    const tokens = tokensOf(reference().patching_inputs.clean);
    const logitsBefore = m.call(tokens);
    const sites = headSites(m.config);
    const { answer, versus } = pairs();
    const method = activationPatchingGrid({ sites, metric: logitDifference({ answer, versus }) });
    {
      using data = pairData();
      using prepared = method.prepare(m);
      expect(prepared.program.map((spec) => `${spec.operation} ${spec.path}`)).toEqual([
        'capture blocks.0.attn.hook_z',
        'replace blocks.0.attn.hook_z',
        'capture blocks.1.attn.hook_z',
        'replace blocks.1.attn.hook_z',
      ]);
      using result = prepared.run(data);
      const grid = LabelledGrid.fromSamples(result.getTensor(['patching', 'effect']), sites);
      expect(grid.shape).toEqual([2, 4]);
      expect(grid.axes.map((axis) => axis.name)).toEqual(['layer', 'head']);
      // Prepared and idle, the hooks change nothing.
      const logitsPrepared = m.call(tokens);
      expect(logitsPrepared).toBeCloseToTensor(logitsBefore, { atol: 0, rtol: 0 });
      logitsPrepared.dispose();
    }
    expect(allHookCounts(m)).toBe(before);
    const logitsAfter = m.call(tokens);
    expect(logitsAfter).toBeCloseToTensor(logitsBefore, { atol: 0, rtol: 0 });
    tf.dispose([tokens, logitsBefore, logitsAfter]);
    // The declared passes are those of a one-sample batch: 1 + ceil(8 / 64).
    expect(method.requirements).toEqual({ modelPasses: 2, gradients: 'disabled' });
  });

  it('unbatched data (batch shape []) and describe(): plan, options and passes as data', () => {
    const m = model();
    const { clean, corrupted, clean_answer: answer, corrupt_answer: versus } = reference().patching_inputs;
    const sites = headSites(m.config);
    const metric = logitDifference({ answer, versus });
    const method = activationPatchingGrid({ sites, metric, resultKey: ['grids', 'heads'] });
    {
      using data = new TensorDict(
        {
          input: tf.tensor1d(clean[0] ?? [], 'int32'),
          patched: { input: tf.tensor1d(corrupted[0] ?? [], 'int32') },
        },
        { batchShape: [] },
      );
      using prepared = method.prepare(m);
      using result = prepared.run(data);
      expect(result.getTensor(['grids', 'heads', 'effect']).shape).toEqual([2, 4]);
      expect(result.getTensor(['grids', 'heads', 'source_metric']).shape).toEqual([]);
      const effect = Array.from(result.getTensor(['grids', 'heads', 'effect']).dataSync());
      expect(maxAbsError(effect, flat(reference().activation_patching.head_z.effect))).toBeLessThan(1e-5);
    }
    const described = method.describe({ callbackIds: new Map([[metric, 'logit-difference']]) }) as {
      id: string;
      requirements: unknown;
      hooks: { path: string; operation: string; prepend?: boolean }[];
      inKeys: string[][];
      outKeys: string[][];
    };
    expect(described.id).toBe('intervention/activation-patching-grid');
    expect(described.requirements).toEqual({ modelPasses: 2, gradients: 'disabled' });
    expect(described.hooks[1]).toMatchObject({
      path: 'blocks.0.attn.hook_z',
      operation: 'replace',
      prepend: true,
    });
    expect(described.inKeys).toEqual([['input'], ['patched', 'input']]);
    expect(described.outKeys).toContainEqual(['grids', 'heads', 'normalized']);
  });

  it('the clean outputs under the model keys: a Workflow step next to attributionPatching, one pairing', () => {
    const m = model();
    const sites = headSites(m.config);
    const { answer, versus } = pairs();
    const metric = logitDifference({ answer, versus });
    using data = pairData();
    const clean = m.call(data.getTensor('input'));
    const workflow = new Workflow([
      activationPatchingGrid({ sites, metric }),
      attributionPatching({ sites, metric }),
    ]);
    const { data: result } = workflow.run(m, data);
    try {
      // The grid publishes the source (clean) run's outputs, as every method run does.
      expect(result.getTensor('output')).toBeCloseToTensor(clean, { atol: 1e-5 });
      // The grid's effect and AtP's estimate are laid out alike; both measure the same two runs.
      expect(result.getTensor(['atp', 'estimate']).shape).toEqual(
        result.getTensor(['patching', 'effect']).shape,
      );
      for (const name of ['source_metric', 'baseline_metric']) {
        expect(result.getTensor(['atp', name])).toBeCloseToTensor(result.getTensor(['patching', name]), {
          atol: 1e-5,
        });
      }
      const { clean_metric: source, corrupted_metric: baseline } = reference().activation_patching;
      expect(result.getTensor(['patching', 'source_metric']).dataSync()[0]).toBeCloseTo(source, 4);
      expect(result.getTensor(['patching', 'baseline_metric']).dataSync()[0]).toBeCloseTo(baseline, 4);
    } finally {
      result.dispose();
      clean.dispose();
    }
  });
});
