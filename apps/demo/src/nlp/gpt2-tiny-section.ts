// The gpt2-tiny reference (a GPT-2 checkpoint in the Hugging Face layout with PyTorch/captum numbers): load it
// from disk with @tdhook/adapter-nlp, compare logits, every hook point and integrated gradients with the
// reference, then save it and load the copy back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { attributeTokens, loadGpt2Checkpoint, saveGpt2Checkpoint } from '@tdhook/adapter-nlp';
import { referenceDirectory } from '@tdhook/testing';

import type { ReportSection } from '../report/report-model.js';
import type { DemoContext } from '../vision/demo-context.js';

interface Spec {
  readonly shape: readonly number[];
  readonly data: unknown;
}

interface Gpt2TinyReference {
  readonly inputs: { readonly tokens: { readonly data: number[][] } };
  readonly forward: { readonly logits: Spec };
  readonly activations: { readonly tokens: number[][]; readonly hooks: Readonly<Record<string, Spec>> };
  readonly conventions: { readonly pad_token_id: number };
  readonly integrated_gradients: {
    readonly results: readonly {
      readonly id: string;
      readonly ids: number[][];
      readonly target: number[];
      readonly attribution: Spec;
    }[];
  };
}

// Masked attention scores are the string "-Infinity" in the JSON.
const values = (spec: Spec): Float32Array =>
  Float32Array.from((spec.data as unknown[]).flat(Infinity), Number);

function maxError(actual: ArrayLike<number>, expected: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (a === e) continue; // also −∞ = −∞
    worst = Math.max(worst, Number.isFinite(a - e) ? Math.abs(a - e) : Infinity);
  }
  return worst;
}

/** The gpt2-tiny check: one table row per reference item, and whether all are within tolerance. */
export async function gpt2TinySection(context: DemoContext): Promise<ReportSection & { pass: boolean }> {
  const folder = join(referenceDirectory(), 'gpt2-tiny');
  const reference = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as Gpt2TinyReference;
  const rows: [string, number, number][] = [];
  const { model } = await loadGpt2Checkpoint(folder);
  const copyFolder = mkdtempSync(join(tmpdir(), 'tdhook-gpt2-tiny-'));
  try {
    const tokens = tf.tensor2d(reference.inputs.tokens.data, undefined, 'int32');
    const logits = model.call(tokens);
    const logitValues = logits.dataSync();
    rows.push(['logits [3, 12, 96]', maxError(logitValues, values(reference.forward.logits)), 1e-5]);

    const first = tf.tensor2d(reference.activations.tokens, undefined, 'int32');
    const names = Object.keys(reference.activations.hooks);
    const run = model.runWithCache(first, { names });
    let worst = 0;
    for (const name of names) {
      const expected = values(reference.activations.hooks[name] as Spec);
      worst = Math.max(worst, maxError(run.cache.getTensor(name).dataSync(), expected));
    }
    rows.push([`all ${String(names.length)} hook points (TransformerLens names)`, worst, 1e-5]);
    run.logits.dispose();
    run.cache.dispose();
    first.dispose();

    for (const result of reference.integrated_gradients.results) {
      if (!result.id.endsWith('batch_target_logit')) continue;
      const ig = attributeTokens(model, result.ids, {
        method: 'ig',
        target: { token: result.target },
        baseline: { token: reference.conventions.pad_token_id },
      });
      const expected = values(result.attribution);
      const scale = expected.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
      rows.push([
        'integrated gradients (captum LayerIntegratedGradients on wte), relative to its max',
        maxError(ig.attribution.dataSync(), expected) / scale,
        1e-4,
      ]);
      ig.attribution.dispose();
    }

    await saveGpt2Checkpoint(model, copyFolder);
    const { model: copy } = await loadGpt2Checkpoint(copyFolder);
    const copyLogits = copy.call(tokens);
    rows.push([
      'saved and loaded again: logits vs the original',
      maxError(copyLogits.dataSync(), Float32Array.from(logitValues)),
      0,
    ]);
    tf.dispose([copyLogits, logits, tokens]);
    copy.dispose();
  } finally {
    model.dispose();
    rmSync(copyFolder, { recursive: true, force: true });
  }
  const pass = rows.every(([, error, tolerance]) => error <= tolerance);
  context.log(
    `gpt2-tiny: ${String(rows.filter(([, e, t]) => e <= t).length)}/${String(rows.length)} reference items within tolerance`,
  );
  return {
    id: 'nlp-gpt2-tiny',
    title: 'Conformance: a GPT-2 checkpoint from disk against PyTorch and captum',
    shortTitle: 'gpt2-tiny',
    pass,
    paragraphs: [
      'gpt2-tiny is a 2-layer GPT-2 with random weights stored as Hugging Face stores GPT-2 (config.json + model.safetensors), with reference numbers computed in PyTorch 1.13 and captum 0.7.0 (../shared/reference/gpt2-tiny). @tdhook/adapter-nlp loads the folder, runs its own transformer, and is compared item by item; the package’s tests check 53 items on wasm and cpu, this run the main ones.',
    ],
    figures: [],
    tables: [
      {
        caption: 'Largest absolute error per reference item (this run, this backend)',
        header: ['item', 'max |error|', 'tolerance', 'match'],
        rows: rows.map(([item, error, tolerance]) => [
          item,
          error === 0 ? '0' : error.toExponential(1),
          tolerance === 0 ? 'exact' : tolerance.toExponential(0),
          error <= tolerance ? 'yes' : 'NO',
        ]),
      },
    ],
  };
}
