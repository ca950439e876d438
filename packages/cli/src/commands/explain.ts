import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import {
  describeModel,
  explainImages,
  imagesToTensor,
  loadModel,
  normalisations,
  readImage,
  renderExplanation,
  visionMethodNames,
  writePng,
  type ImageFit,
  type LoadedModel,
  type NormalisationName,
  type RgbaImage,
  type VisionMethodName,
} from '@tdhook/adapter-cv';
import type { LrpCompositeName } from '@tdhook/attribution';

import { explainHelp } from '../help.js';
import { ProgressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { startBackend } from './backend.js';
import type { Io } from './io.js';

const composites: readonly LrpCompositeName[] = [
  'epsilonPlus',
  'epsilon',
  'zPlus',
  'alpha1beta0',
  'epsilonAlpha2Beta1',
];
const fits: readonly ImageFit[] = ['stretch', 'cover', 'contain'];

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1)
    throw new UsageError(`${flag} must be a whole number ≥ 1, got '${value}'`);
  return number;
}

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  flag: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function parseTarget(value: string | undefined, labels: readonly string[] | undefined): 'argmax' | number {
  if (value === undefined || value === 'argmax') return 'argmax';
  if (/^\d+$/.test(value)) return Number(value);
  const index = labels?.indexOf(value) ?? -1;
  if (index < 0) {
    throw new UsageError(
      labels === undefined
        ? `--target '${value}' is not argmax or a class index, and the model has no labels (give --labels a,b,c)`
        : `--target '${value}' is not a class of this model: ${labels.join(', ')}`,
    );
  }
  return index;
}

/** The model input's [height, width, channels], from its first input's shape. */
function inputGeometry(loaded: LoadedModel): { size: [number, number]; channels: 1 | 3 } {
  const [input] = describeModel(loaded.model).inputs;
  const shape = input?.shape ?? [];
  const [height, width, channels] = [shape[1], shape[2], shape[3]];
  if (shape.length !== 4 || height == null || width == null || (channels !== 1 && channels !== 3)) {
    throw new UsageError(
      `the model's input is ${JSON.stringify(shape)}; tdhook explain needs an image input [N, height, width, 1 or 3]`,
    );
  }
  return { size: [height, width], channels };
}

function labelOf(labels: readonly string[] | undefined, index: number): string | undefined {
  return labels?.[index];
}

function stemOf(path: string, used: Set<string>): string {
  const base = basename(path, extname(path));
  let stem = base;
  for (let n = 2; used.has(stem); n++) stem = `${base}-${n}`;
  used.add(stem);
  return stem;
}

/** `tdhook explain`: heatmaps, overlays and scores.json for each input image. */
export async function explainCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string' },
      input: { type: 'string', multiple: true },
      method: { type: 'string' },
      target: { type: 'string' },
      out: { type: 'string', default: 'tdhook-output' },
      layer: { type: 'string' },
      steps: { type: 'string' },
      baseline: { type: 'string' },
      samples: { type: 'string' },
      composite: { type: 'string' },
      normalise: { type: 'string' },
      fit: { type: 'string' },
      labels: { type: 'string' },
      backend: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    // `--input a.png b.png`: the files after --input come as positionals.
    allowPositionals: true,
  });
  if (values.help) {
    io.stdout.write(explainHelp);
    return 0;
  }
  if (values.model === undefined) throw new UsageError('--model <dir> is required');
  const inputs = [...(values.input ?? []), ...positionals];
  if (inputs.length === 0) throw new UsageError('--input <image...> is required');
  if (values.method === undefined)
    throw new UsageError(`--method is required: ${visionMethodNames.join(', ')}`);
  const method = oneOf(values.method, visionMethodNames, '--method') as VisionMethodName;
  const composite = oneOf(values.composite, composites, '--composite');
  const fitFlag = oneOf(values.fit, fits, '--fit');
  const normaliseFlag = oneOf(
    values.normalise,
    Object.keys(normalisations) as NormalisationName[],
    '--normalise',
  );
  const steps = positiveInteger(values.steps, '--steps');
  const samples = positiveInteger(values.samples, '--samples');
  const baseline = values.baseline === undefined ? undefined : Number(values.baseline);
  if (baseline !== undefined && !Number.isFinite(baseline))
    throw new UsageError(`--baseline must be a number, got '${values.baseline}'`);

  const backend = await startBackend(values.backend);
  const loaded = await loadModel(values.model);
  try {
    const labels = values.labels?.split(',').map((label) => label.trim()) ?? loaded.metadata.labels;
    const target = parseTarget(values.target, labels);
    const { size, channels } = inputGeometry(loaded);
    const normalisation = normaliseFlag ?? loaded.metadata.normalisation ?? 'unit';
    const fit = fitFlag ?? loaded.metadata.fit ?? 'stretch';
    const originals: RgbaImage[] = [];
    for (const path of inputs) originals.push(await readImage(path));
    const out = resolve(values.out);
    await mkdir(out, { recursive: true });

    const bar = values.quiet ? undefined : new ProgressBar(method, inputs.length, io.stderr);
    const used = new Set<string>();
    const records = [];
    for (const [index, path] of inputs.entries()) {
      bar?.update(index, basename(path));
      const started = performance.now();
      const original = originals[index] as RgbaImage;
      const image = imagesToTensor([original], { size, channels, normalisation, fit });
      const explanation = (() => {
        try {
          return explainImages(loaded.model, image, {
            method,
            target,
            ...(values.layer === undefined ? {} : { layer: values.layer }),
            ...(steps === undefined ? {} : { steps }),
            ...(samples === undefined ? {} : { samples }),
            ...(baseline === undefined ? {} : { baseline }),
            ...(composite === undefined ? {} : { composite }),
            onProgress: (done, total) => bar?.update(index + done / total, basename(path)),
          });
        } finally {
          image.dispose();
        }
      })();
      try {
        const pictures = renderExplanation(explanation, 0, original);
        const stem = stemOf(path, used);
        const heatmapFile = join(out, `${stem}.${method}.png`);
        const overlayFile = join(out, `${stem}.${method}.overlay.png`);
        await writePng(heatmapFile, pictures.heatmap);
        await writePng(overlayFile, pictures.overlay);
        const scores = Array.from(explanation.scores.dataSync());
        const ranked = scores
          .map((score, klass) => ({ class: klass, score }))
          .sort((a, b) => b.score - a.score);
        const predicted = ranked[0] as { class: number; score: number };
        const explained = explanation.target[0] as number;
        let sum = 0;
        let min = Infinity;
        let max = -Infinity;
        for (const value of pictures.map) {
          sum += value;
          min = Math.min(min, value);
          max = Math.max(max, value);
        }
        const record = {
          input: resolve(path),
          predicted: { ...predicted, label: labelOf(labels, predicted.class) },
          explained: { class: explained, label: labelOf(labels, explained), score: scores[explained] },
          top: ranked.slice(0, 5).map((entry) => ({ ...entry, label: labelOf(labels, entry.class) })),
          heatmap: heatmapFile,
          overlay: overlayFile,
          ...(explanation.layer === undefined ? {} : { layer: explanation.layer }),
          attribution: { sum, min, max, range: pictures.heatmap.range },
          seconds: (performance.now() - started) / 1000,
        };
        records.push(record);
        const name = record.explained.label ?? `class ${explained}`;
        io.stdout.write(
          `${basename(path)}: predicted ${record.predicted.label ?? `class ${predicted.class}`} (${predicted.score.toFixed(3)}), explained ${name} → ${heatmapFile}\n`,
        );
      } finally {
        explanation.dispose();
      }
    }
    bar?.done();
    const report = {
      tool: 'tdhook explain',
      model: resolve(values.model),
      kind: loaded.kind,
      method,
      backend,
      input: { size, channels, normalisation, fit },
      labels: labels ?? null,
      images: records,
    };
    await writeFile(join(out, 'scores.json'), `${JSON.stringify(report, null, 2)}\n`);
    io.stdout.write(`wrote ${records.length * 2} PNG files and ${join(out, 'scores.json')}\n`);
    return 0;
  } finally {
    loaded.dispose();
    tf.disposeVariables();
  }
}
