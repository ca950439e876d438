import { basename, extname, join, resolve } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import {
  describeModel,
  encodePng,
  explainDefaults,
  explainImages,
  imagesToTensor,
  loadModel,
  renderExplanation,
  visionMethodId,
  visionMethodNames,
  visionMethodRegistry,
  type Explanation,
  type LoadedModel,
  type RgbaImage,
} from '@tdhook/adapter-cv';

import { TdhookError, type MethodRegistry } from '@tdhook/core';

import { explainHelp } from '../help.js';
import { OutputFolder } from '../output-folder.js';
import { loadPlugins } from '../plugins/load-plugins.js';
import { PluginError } from '../plugins/plugin-error.js';
import { ProgressBar } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { startBackend } from './backend.js';
import { checkMethodArgs, parseExplainArgs, type ExplainArgs } from './explain-args.js';
import type { Io } from './io.js';
import { modelClasses, parseTarget, type ModelClasses } from './model-classes.js';
import { readInputs } from './read-inputs.js';

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

function stemsOf(paths: readonly string[]): string[] {
  const used = new Set<string>();
  return paths.map((path) => {
    const base = basename(path, extname(path));
    let stem = base;
    for (let n = 2; used.has(stem); n++) stem = `${base}-${n}`;
    used.add(stem);
    return stem;
  });
}

/** A method's part of the file names: its short name, or its id with '/' as '-'. */
const fileLabel = (method: string): string => method.replace(/[\\/]/g, '-');

interface MapStatistics {
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

function statistics(map: Float32Array): MapStatistics {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const value of map) {
    sum += value;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  return { sum, min, max };
}

/** Why a blank heatmap is blank, in the user's terms. */
function blankMapWarning(file: string, explanation: Explanation<string>, className: string): string {
  const cause =
    explanation.id === 'attribution/grad-cam'
      ? `Grad-CAM keeps only positive evidence, and layer ${explanation.layer ?? '?'} has none for ${className}; try an earlier --layer (tdhook info lists them) or another method`
      : `the method found no evidence for ${className}`;
  return `${file}: the ${explanation.method} map is all zero, so its heatmap is blank: ${cause}`;
}

interface Run {
  readonly args: ExplainArgs;
  readonly io: Io;
  readonly warn: (message: string) => void;
}

async function explainAll(
  run: Run,
  loaded: LoadedModel,
  classes: ModelClasses,
  registry: MethodRegistry,
  backend: string,
): Promise<number> {
  const { args, io } = run;
  const target = parseTarget(args.target, classes);
  const { size, channels } = inputGeometry(loaded);
  const normalisation = args.normalise ?? loaded.metadata.normalisation ?? explainDefaults.normalisation;
  const fit = args.fit ?? loaded.metadata.fit ?? explainDefaults.fit;
  const originals = await readInputs(args.inputs, run.warn);
  const label = fileLabel(args.method);
  const stems = stemsOf(args.inputs);
  const names = stems.flatMap((stem) => [`${stem}.${label}.png`, `${stem}.${label}.overlay.png`]);
  const output = await OutputFolder.open(args.out, [...names, 'scores.json']);
  const labelOf = (index: number): string | undefined => classes.labels?.[index];
  const bar = args.quiet ? undefined : new ProgressBar(args.method, args.inputs.length, io.stderr);
  // On a terminal the bar's line is open: a warning (or the error) goes on a line of its own.
  const warn = (message: string): void => {
    bar?.endLine();
    run.warn(message);
  };
  try {
    const records = [];
    for (const [index, path] of args.inputs.entries()) {
      bar?.update(index, basename(path));
      const started = performance.now();
      const original = originals[index] as RgbaImage;
      const image = imagesToTensor([original], { size, channels, normalisation, fit });
      const explanation = (() => {
        try {
          return explainImages(loaded.model, image, {
            method: args.method,
            registry,
            target,
            methodOptions: args.methodOptions,
            ...(args.layer === undefined ? {} : { layer: args.layer }),
            ...(args.steps === undefined ? {} : { steps: args.steps }),
            ...(args.samples === undefined ? {} : { samples: args.samples }),
            ...(args.baseline === undefined ? {} : { baseline: args.baseline }),
            ...(args.composite === undefined ? {} : { composite: args.composite }),
            onProgress: (done, total) => bar?.update(index + done / total, basename(path)),
          });
        } finally {
          image.dispose();
        }
      })();
      try {
        const pictures = renderExplanation(explanation, 0, original);
        const stem = stems[index] as string;
        const heatmapFile = join(output.path, `${stem}.${label}.png`);
        const overlayFile = join(output.path, `${stem}.${label}.overlay.png`);
        await output.write(basename(heatmapFile), encodePng(pictures.heatmap));
        await output.write(basename(overlayFile), encodePng(pictures.overlay));
        const scores = Array.from(explanation.scores.dataSync());
        const ranked = scores
          .map((score, klass) => ({ class: klass, score }))
          .sort((a, b) => b.score - a.score);
        const predicted = ranked[0] as { class: number; score: number };
        const explained = explanation.target[0] as number;
        const map = statistics(pictures.map);
        const className = labelOf(explained) ?? `class ${explained}`;
        const warnings =
          map.min === 0 && map.max === 0 ? [blankMapWarning(basename(path), explanation, className)] : [];
        warnings.forEach(warn);
        records.push({
          input: resolve(path),
          predicted: { ...predicted, label: labelOf(predicted.class) },
          explained: { class: explained, label: labelOf(explained), score: scores[explained] },
          top: ranked.slice(0, 5).map((entry) => ({ ...entry, label: labelOf(entry.class) })),
          heatmap: heatmapFile,
          overlay: overlayFile,
          ...(explanation.layer === undefined ? {} : { layer: explanation.layer }),
          options: explanation.options ?? null,
          attribution: { ...map, range: pictures.heatmap.range },
          warnings,
          seconds: (performance.now() - started) / 1000,
        });
        io.stdout.write(
          `${basename(path)}: predicted ${labelOf(predicted.class) ?? `class ${predicted.class}`} (${predicted.score.toFixed(3)}), explained ${className} → ${heatmapFile}\n`,
        );
      } finally {
        explanation.dispose();
      }
    }
    bar?.done();
    const report = {
      tool: 'tdhook explain',
      model: resolve(args.model),
      kind: loaded.kind,
      method: args.method,
      methodId: visionMethodId(args.method),
      plugins: args.plugins,
      backend,
      input: { size, channels, normalisation, fit },
      labels: classes.labels ?? null,
      images: records,
    };
    await output.write('scores.json', `${JSON.stringify(report, null, 2)}\n`);
    await output.commit();
    io.stdout.write(`wrote ${records.length * 2} PNG files and ${join(output.path, 'scores.json')}\n`);
    return 0;
  } catch (error) {
    bar?.endLine();
    await output.abort();
    throw error;
  }
}

/**
 * `E_CV_METHOD` (a method that writes no image attribution) is the plugin's to fix when a plugin's method
 * ran: exit code 3. A built-in gets it only when `--options` reconfigured it (an `attributionKey`, say):
 * exit code 1, as for a method refusing its options.
 */
function blame(error: unknown, method: string): unknown {
  const builtIn = visionMethodNames.some((name) => visionMethodId(name) === visionMethodId(method));
  if (builtIn || !TdhookError.is(error) || error.code !== 'E_CV_METHOD') return error;
  return new PluginError(error.message, { cause: error });
}

/** `tdhook explain`: heatmaps, overlays and scores.json for each input image, all or nothing. */
export async function explainCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseExplainArgs(argv);
  if (args === 'help') {
    io.stdout.write(explainHelp());
    return 0;
  }
  const warn = (message: string): void => {
    io.stderr.write(`tdhook explain: warning: ${message}\n`);
  };
  const registry = visionMethodRegistry();
  await loadPlugins(args.plugins, registry);
  checkMethodArgs(args, registry);
  const backend = await startBackend(args.backend);
  const loaded = await loadModel(args.model);
  try {
    const classes = modelClasses(loaded, args.labels, warn);
    return await explainAll({ args, io, warn }, loaded, classes, registry, backend);
  } catch (error) {
    throw blame(error, args.method);
  } finally {
    loaded.dispose();
    tf.disposeVariables();
  }
}
