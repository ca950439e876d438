// The `tdhook` binary as users run it: a child process per command, real exit codes, files on disk.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainDefaults } from '@tdhook/adapter-cv';
import { integratedGradients, noiseTunnel, saliency } from '@tdhook/attribution';
import { digitPaths, emotionModelDir, mnistCnnDir, photoPaths } from '@tdhook/cv-assets';

import {
  backend,
  colourCount,
  decode,
  expectOneLineError,
  explain,
  spawnTdhook,
  tdhook,
} from './run-tdhook.js';

let scratch = '';

const seven = digitPaths[7] as string;
const three = digitPaths[3] as string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cli-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('tdhook explain', () => {
  it('writes a heatmap, an overlay and scores.json for MNIST digits (integrated gradients)', () => {
    const out = join(scratch, 'ig');
    const run = explain('--model', mnistCnnDir, '--input', seven, three, '--method', 'ig', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/digit-7-test0\.png: predicted 7/);
    for (const stem of ['digit-7-test0', 'digit-3-test18']) {
      const heatmap = decode(join(out, `${stem}.ig.png`));
      expect([heatmap.width, heatmap.height]).toEqual([28, 28]);
      expect(colourCount(heatmap)).toBeGreaterThan(20);
      const overlay = decode(join(out, `${stem}.ig.overlay.png`));
      expect([overlay.width, overlay.height]).toEqual([28, 28]);
      expect(colourCount(overlay)).toBeGreaterThan(20);
    }
    const scores = JSON.parse(readFileSync(join(out, 'scores.json'), 'utf8')) as {
      method: string;
      kind: string;
      images: {
        predicted: { class: number; label: string };
        explained: { class: number };
        attribution: { sum: number };
      }[];
    };
    expect(scores.method).toBe('ig');
    expect(scores.kind).toBe('layers');
    expect(scores.images.map((image) => image.predicted.class)).toEqual([7, 3]);
    expect(scores.images.map((image) => image.predicted.label)).toEqual(['7', '3']);
    expect(scores.images.map((image) => image.explained.class)).toEqual([7, 3]);
    // Integrated gradients (baseline 0) is complete: its sum is the logit minus the baseline's, so positive here.
    for (const image of scores.images) expect(image.attribution.sum).toBeGreaterThan(0);
  });

  it('explains a given class, by index or by label', () => {
    for (const target of ['3', 'label']) {
      const out = join(scratch, `target-${target}`);
      // The MNIST model's metadata names its classes '0'…'9', so a label target is given with --labels here.
      const byLabel =
        target === 'label'
          ? ['--labels', 'zero,one,two,three,four,five,six,seven,eight,nine', '--target', 'three']
          : ['--target', target];
      const run = explain(
        '--model',
        mnistCnnDir,
        '--input',
        seven,
        '--method',
        'saliency',
        ...byLabel,
        '--out',
        out,
      );
      expect(run.status, run.stderr).toBe(0);
      const scores = JSON.parse(readFileSync(join(out, 'scores.json'), 'utf8')) as {
        images: { explained: { class: number } }[];
      };
      expect(scores.images[0]?.explained.class).toBe(3);
    }
  });

  it('takes the backend from TDHOOK_BACKEND when --backend is not given', () => {
    const out = join(scratch, 'environment');
    const run = spawnTdhook(
      ['explain', '--quiet', '--model', mnistCnnDir, '--input', seven, '--method', 'guided', '--out', out],
      { env: { ...process.env, TDHOOK_BACKEND: backend } },
    );
    expect(run.status, run.stderr).toBe(0);
    const scores = JSON.parse(readFileSync(join(out, 'scores.json'), 'utf8')) as { backend: string };
    expect(scores.backend).toBe(backend);
    expect(decode(join(out, 'digit-7-test0.guided.png')).width).toBe(28);
  });

  it('runs Grad-CAM on a named layer and on a Graph model node', () => {
    const out = join(scratch, 'gradcam');
    const layers = explain(
      '--model',
      mnistCnnDir,
      '--input',
      seven,
      '--method',
      'gradcam',
      '--layer',
      'conv1',
      '--out',
      out,
    );
    expect(layers.status, layers.stderr).toBe(0);
    expect(layers.stdout).toMatch(/digit-7-test0\.png: predicted 7/);
    const digitMap = decode(join(out, 'digit-7-test0.gradcam.png'));
    expect([digitMap.width, digitMap.height]).toEqual([28, 28]);
    expect(colourCount(digitMap)).toBeGreaterThan(5);
    expect(existsSync(join(out, 'digit-7-test0.gradcam.overlay.png'))).toBe(true);
    const layerScores = JSON.parse(readFileSync(join(out, 'scores.json'), 'utf8')) as {
      images: { layer?: string; predicted: { label: string } }[];
    };
    expect(layerScores.images[0]).toMatchObject({ layer: 'conv1', predicted: { label: '7' } });
    const graph = explain(
      '--model',
      emotionModelDir(),
      '--input',
      photoPaths.astronaut,
      '--method',
      'gradcam',
      '--out',
      out,
    );
    expect(graph.status, graph.stderr).toBe(0);
    const heatmap = decode(join(out, 'astronaut.gradcam.png'));
    expect([heatmap.width, heatmap.height]).toEqual([64, 64]);
    const overlay = decode(join(out, 'astronaut.gradcam.overlay.png'));
    expect([overlay.width, overlay.height]).toEqual([512, 512]);
  });

  it('fails with one clear line and a non-zero exit code on bad input', () => {
    const text = join(scratch, 'notes.png');
    writeFileSync(text, 'not an image');
    const cases: [string[], number, RegExp][] = [
      [['--model', join(scratch, 'missing'), '--input', seven, '--method', 'ig'], 1, /No model at .*missing/],
      [
        ['--model', mnistCnnDir, '--input', join(scratch, 'gone.png'), '--method', 'ig'],
        1,
        /No file at .*gone\.png/,
      ],
      [
        ['--model', mnistCnnDir, '--input', text, '--method', 'ig'],
        1,
        /notes\.png is not a PNG or JPEG image/,
      ],
      [
        ['--model', mnistCnnDir, '--input', seven, '--method', 'gradcam', '--layer', 'conv9'],
        1,
        /no submodule conv9.*conv1, pool1, conv2/,
      ],
      [
        ['--model', emotionModelDir(), '--input', photoPaths.astronaut, '--method', 'lrp'],
        1,
        /LRP rules exist for Layers layers/,
      ],
      [
        ['--model', mnistCnnDir, '--input', seven, '--method', 'occlusion'],
        2,
        /--method must be one of saliency, ig, smoothgrad, guided, gradcam, lrp/,
      ],
      [
        ['--model', mnistCnnDir, '--input', seven, '--method', 'ig', '--target', 'cat'],
        2,
        /--target 'cat' is not a class of this model/,
      ],
      [
        ['--model', mnistCnnDir, '--input', seven, '--method', 'ig', '--colour', 'red'],
        2,
        /^tdhook: Unknown option '--colour' \(see tdhook explain --help\)$/,
      ],
      [['--input', seven, '--method', 'ig'], 2, /--model <dir> is required/],
    ];
    for (const [args, status, phrase] of cases) {
      const run = explain(...args, '--out', join(scratch, 'errors'));
      expect(run.status, args.join(' ')).toBe(status);
      expectOneLineError(run.stderr, phrase);
    }
  });

  it('prints help that names every method, with the defaults the methods set themselves', () => {
    const run = tdhook('explain', '--help');
    expect(run.status).toBe(0);
    for (const method of ['saliency', 'ig', 'smoothgrad', 'guided', 'gradcam', 'lrp'])
      expect(run.stdout).toContain(method);
    // Read from the configured methods: one default per option, in the method's configure.
    const steps = integratedGradients({}).options.steps;
    const samples = noiseTunnel(saliency({}), {}).options.samples;
    expect([steps, samples]).toEqual([50, 10]);
    expect(run.stdout).toMatch(
      new RegExp(`--steps <n> +ig: quadrature steps, 1 to 1000 \\(default ${steps}\\)`),
    );
    expect(run.stdout).toMatch(
      new RegExp(`--samples <n> +smoothgrad: noisy samples, 1 to 1000 \\(default ${samples}\\)`),
    );
    // explainImages' own defaults, from @tdhook/adapter-cv's explainDefaults (test/explain-help.test.ts
    // shows that the help reads them).
    expect(explainDefaults).toMatchObject({ baseline: 0, composite: 'epsilonPlus', fit: 'stretch' });
    expect(run.stdout).toContain(`in model input units (default ${explainDefaults.baseline})\n`);
    expect(run.stdout).toContain(`lrp: ${explainDefaults.composite} (default), or one of`);
    expect(run.stdout).toContain(`from the model's metadata, else ${explainDefaults.normalisation})\n`);
    expect(run.stdout).toContain(`from the model's metadata, else ${explainDefaults.fit})\n`);
    expect(run.stdout).toMatch(
      /Exit codes: 0 done, 1 the work failed .*\s2 the command line cannot run as written, 3 a --plugin/s,
    );
  });
});

describe('tdhook info', () => {
  it('lists the Layers model’s hookable paths with shapes and parameters', () => {
    const run = tdhook('info', '--backend', backend, '--model', mnistCnnDir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Layers model 'mnist_cnn': 14,410 parameters/);
    expect(run.stdout).toMatch(/conv1\s+Conv2D\s+\[N, 26, 26, 8\]\s+80/);
    expect(run.stdout).toMatch(/conv2\s+Conv2D\s+\[N, 11, 11, 16\]\s+1,168/);
  });

  it('lists a Graph model’s nodes as escaped paths, and prints JSON on request', () => {
    const run = tdhook('info', '--backend', backend, '--model', emotionModelDir(), '--json');
    expect(run.status, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout) as { kind: string; modules: { path: string; type: string }[] };
    expect(info.kind).toBe('graph');
    expect(info.modules.map((module) => module.path)).toContain(
      '<StatefulPartitionedCall/model_1/conv2d_5/BiasAdd>',
    );
  });
});

describe('tdhook', () => {
  it('prints help and exits 2 without a command, 0 with --help', () => {
    const bare = tdhook();
    expect(bare.status).toBe(2);
    expect(bare.stdout).toMatch(/tdhook explain --model/);
    expect(tdhook('--help').status).toBe(0);
    const infoHelp = tdhook('info', '--help');
    expect(infoHelp.status).toBe(0);
    expect(infoHelp.stdout).toMatch(/tdhook info --model <dir> \[--json\]/);
    const unknown = tdhook('explian');
    expect(unknown.status).toBe(2);
    expectOneLineError(unknown.stderr, /unknown command 'explian'/);
  });
});
