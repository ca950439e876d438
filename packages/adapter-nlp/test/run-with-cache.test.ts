import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';
import { namedModules } from '@tdhook/core';
import { hookCounts } from '@tdhook/core/plugin';

import {
  expected,
  gradientTolerance,
  lastLogits,
  logitDifference,
  reference,
  tokensOf,
  useTinyModel,
  type Spec,
} from './model-fixture.js';

const model = useTinyModel();
const tolerance = { atol: 1e-5, rtol: 0 };

function noHooksLeft(): void {
  for (const [path, node] of namedModules(model())) {
    expect(Object.values(hookCounts(node)), path).toEqual([0, 0, 0, 0]);
  }
  expect(Object.values(hookCounts(model()))).toEqual([0, 0, 0, 0]);
}

describe('runWithCache', () => {
  it('caches exactly the named hook points, with the reference values, and returns the logits', () => {
    const ref = reference();
    const tokens = tokensOf(ref.activations.tokens);
    const names = [
      'hook_embed',
      'blocks.0.attn.hook_pattern',
      'blocks.1.mlp.hook_post',
      'ln_final.hook_normalized',
    ];
    const { logits, cache } = model().runWithCache(tokens, { names });
    expect(cache.keys().map((key) => key.join('/'))).toEqual(names);
    expect(cache.batchShape).toEqual([1]);
    for (const name of names) {
      expect(cache.getTensor(name), name).toBeCloseToTensor(
        expected(ref.activations.hooks[name] as Spec),
        tolerance,
      );
    }
    const firstRow = tf.slice(logits, [0, 0, 0], [1, 12, 96]);
    expect(logits.shape).toEqual([1, 12, 96]);
    tf.dispose([tokens, logits, firstRow]);
    cache.dispose();
    noHooksLeft();
  });

  it('selects by RegExp: all 33 reference activations of sequence 0 in one call', () => {
    const ref = reference();
    const tokens = tokensOf(ref.activations.tokens);
    const { logits, cache } = model().runWithCache(tokens, { names: /./ });
    expect(cache.keys().length).toBe(model().hookPoints().length);
    for (const name of ref.activations.hook_names) {
      expect(cache.getTensor(name), name).toBeCloseToTensor(
        expected(ref.activations.hooks[name] as Spec),
        tolerance,
      );
    }
    expect(model().useAttnResult).toBe(false); // turned on for the call (hook_result selected), then restored
    expect(cache.getTensor('blocks.0.attn.hook_result').shape).toEqual([1, 12, 4, 64]);
    tf.dispose([tokens, logits]);
    cache.dispose();
  });

  it('backward: ∂metric/∂hook_embed on the clean prompt matches the reference', () => {
    const ref = reference();
    const tokens = tokensOf(ref.gradients.clean_metric.ids);
    const { logits, cache } = model().runWithCache(tokens, {
      names: ['hook_embed'],
      backward: { metric: logitDifference },
    });
    const spec = ref.gradients.clean_metric.gradient;
    expect(cache.getTensor(['grad', 'hook_embed'])).toBeCloseToTensor(
      expected(spec),
      gradientTolerance(spec),
    );
    const metric = logitDifference(logits);
    expect(metric.dataSync()[0]).toBeCloseTo(ref.activation_patching.clean_metric, 5);
    tf.dispose([tokens, logits, metric]);
    cache.dispose();
    noHooksLeft();
  });

  it('backward: ∂logit[b, −1, target_b]/∂hook_embed for the batch matches the reference', () => {
    const ref = reference();
    const { ids, target, gradient } = ref.gradients.batch_target_logit;
    const tokens = tokensOf(ids);
    const { logits, cache } = model().runWithCache(tokens, {
      names: ['hook_embed', 'hook_pos_embed'],
      backward: { metric: (out) => tf.sum(lastLogits(out, target)) },
    });
    expect(cache.getTensor(['grad', 'hook_embed'])).toBeCloseToTensor(
      expected(gradient),
      gradientTolerance(gradient),
    );
    // The position embedding enters the residual stream the same way: its gradient is the same tensor.
    expect(cache.getTensor(['grad', 'hook_pos_embed'])).toBeCloseToTensor(
      expected(gradient),
      gradientTolerance(gradient),
    );
    tf.dispose([tokens, logits]);
    cache.dispose();
  });

  it('backward: the gradients at every hook_z on the corrupted run are the reference ones (head-split tensors carry the gradients the model uses)', () => {
    const ref = reference();
    const tokens = tokensOf(ref.patching_inputs.corrupted);
    const { logits, cache } = model().runWithCache(tokens, {
      names: /attn\.hook_z$/,
      backward: { metric: logitDifference },
    });
    for (const [name, spec] of Object.entries(ref.attribution_patching.gradients_on_corrupted_run)) {
      expect(cache.getTensor(['grad', name]), name).toBeCloseToTensor(
        expected(spec),
        gradientTolerance(spec),
      );
    }
    tf.dispose([tokens, logits]);
    cache.dispose();
  });

  it('attribution patching from one clean and one corrupted call matches the reference AtP grids (atol 1e-5)', () => {
    const ref = reference();
    const clean = tokensOf(ref.patching_inputs.clean);
    const corrupted = tokensOf(ref.patching_inputs.corrupted);
    const names = /attn\.hook_z$|hook_resid_pre$/;
    const cleanRun = model().runWithCache(clean, { names });
    const corruptRun = model().runWithCache(corrupted, { names, backward: { metric: logitDifference } });
    const atp = (name: string, axes: number[]): tf.Tensor =>
      tf.tidy(() => {
        const delta = tf.sub(cleanRun.cache.getTensor(name), corruptRun.cache.getTensor(name));
        return tf.sum(tf.mul(delta, corruptRun.cache.getTensor(['grad', name])), axes);
      });
    const headGrid = tf.tidy(() =>
      tf.stack([0, 1].map((layer) => atp(`blocks.${layer}.attn.hook_z`, [0, 1, 3]))),
    );
    const residGrid = tf.tidy(() =>
      tf.stack([0, 1].map((layer) => atp(`blocks.${layer}.hook_resid_pre`, [0, 2]))),
    );
    expect(headGrid).toBeCloseToTensor(expected(ref.attribution_patching.head_z.atp), tolerance);
    expect(residGrid).toBeCloseToTensor(expected(ref.attribution_patching.resid_pre.atp), tolerance);
    tf.dispose([clean, corrupted, cleanRun.logits, corruptRun.logits, headGrid, residGrid]);
    cleanRun.cache.dispose();
    corruptRun.cache.dispose();
  });

  it('unknown names are an UnknownPathError listing close names; bad options are typed errors; nothing is left behind', () => {
    const tokens = tokensOf([[1, 2, 3]]);
    const m = model();
    expect(() => m.runWithCache(tokens, { names: ['blocks.0.attn.hook_qq'] })).toThrowTdhookError(
      'E_UNKNOWN_PATH',
      /No hook point named 'blocks\.0\.attn\.hook_qq'.*Close names: blocks\.0\.attn\.hook_q/,
    );
    expect(() => m.runWithCache(tokens, { names: /hook_nothing/ })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /matches no hook point/,
    );
    expect(() => m.runWithCache(tokens, { names: 'hook_embed' as never })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /array of hook names/,
    );
    expect(() =>
      m.runWithCache(tokens, {
        names: ['hook_embed'],
        backward: { metric: (logits) => logits as tf.Scalar },
      }),
    ).toThrowTdhookError('E_INVALID_VALUE', /float32 scalar/);
    tokens.dispose();
    noHooksLeft();
  });

  it('a metric that throws leaves no hooks, no tape and no tensors behind, and restores useAttnResult', () => {
    const tokens = tokensOf([[1, 2, 3]]);
    const m = model();
    expect(() =>
      m.runWithCache(tokens, {
        names: /hook_result$/,
        backward: {
          metric: () => {
            throw new Error('boom');
          },
        },
      }),
    ).toThrow(/boom/);
    expect(m.useAttnResult).toBe(false);
    noHooksLeft();
    // The model still works, gradients included.
    const { logits, cache } = m.runWithCache(tokens, {
      names: ['hook_embed'],
      backward: { metric: (out) => tf.sum(out) },
    });
    expect(cache.getTensor(['grad', 'hook_embed']).shape).toEqual([1, 3, 64]);
    tf.dispose([tokens, logits]);
    cache.dispose();
  });

  it('memory is bounded by the selection: bytes cached for a few selections', () => {
    const tokens = tokensOf(reference().inputs.tokens.data);
    const selections: [string, RegExp][] = [
      ['hook_embed only', /^hook_embed$/],
      ['resid_post (2 layers)', /hook_resid_post$/],
      ['hook_pattern (2 layers)', /hook_pattern$/],
      ['every hook point', /./],
    ];
    const bytes: number[] = [];
    for (const [label, names] of selections) {
      const before = tf.memory().numBytes;
      const { logits, cache } = model().runWithCache(tokens, { names });
      const cached = tf.memory().numBytes - before - logits.size * 4;
      const expectedBytes = cache.keys().reduce((sum, key) => sum + cache.getTensor(key).size * 4, 0);
      expect(cached, label).toBe(expectedBytes);
      bytes.push(cached);
      tf.dispose([logits]);
      cache.dispose();
    }
    // hook_embed: 3·12·64 floats; resid_post: 2 of those; patterns: 2·3·4·12·12.
    expect(bytes.slice(0, 3)).toEqual([3 * 12 * 64 * 4, 2 * 3 * 12 * 64 * 4, 2 * 3 * 4 * 12 * 12 * 4]);
    tokens.dispose();
  });
});
