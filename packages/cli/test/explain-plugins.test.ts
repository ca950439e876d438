// tdhook explain --plugin <module> --method <id>: third-party methods by name, through the built binary.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { restorePatches } from '@tdhook/backend';
import { defaultPatches, installPatches } from '@tdhook/backend/patches';
import { explainImages, loadModel, readImageBatch } from '@tdhook/adapter-cv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitPaths, mnistCnnDir } from '@tdhook/cv-assets';

import { expectOneLineError, explain, filesIn, readJson, spawnTdhook, tdhook } from './run-tdhook.js';

const seven = digitPaths[7] as string;
const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const examplePlugin = fileURLToPath(new URL('../../../apps/example-plugin', import.meta.url));
let scratch = '';

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cli-plugins-'));
  // The in-process reference below runs gradients on the test backend, with tdhook's kernel patches.
  await installPatches(tf.getBackend() as 'wasm' | 'cpu', defaultPatches);
});

afterAll(() => {
  restorePatches();
  rmSync(scratch, { recursive: true, force: true });
});

/** `tdhook explain` of the digit 7 by the MNIST CNN with `method`, after loading `plugins`. */
const explainSeven = (plugins: readonly string[], method: string, ...args: string[]) =>
  explain(
    ...plugins.flatMap((plugin) => ['--plugin', plugin]),
    '--model',
    mnistCnnDir,
    '--input',
    seven,
    '--method',
    method,
    ...args,
  );

interface Scores {
  method: string;
  methodId: string;
  plugins: string[];
  images: {
    explained: { class: number };
    options: Record<string, unknown>;
    attribution: { sum: number; min: number; max: number };
  }[];
}

/** Input × gradient of the MNIST CNN for the digit 7, computed in this process by @tdhook/attribution. */
async function referenceInputTimesGradient(): Promise<{ sum: number; min: number; max: number }> {
  const loaded = await loadModel(mnistCnnDir);
  const images = await readImageBatch([seven], { size: [28, 28], channels: 1, normalisation: 'unit' });
  const explanation = explainImages(loaded.model, images, {
    method: 'saliency',
    methodOptions: { absolute: false, multiplyByInputs: true },
  });
  const values = Array.from(explanation.attribution.dataSync());
  const statistics = {
    sum: values.reduce((total, value) => total + value, 0),
    min: Math.min(...values),
    max: Math.max(...values),
  };
  explanation.dispose();
  images.dispose();
  loaded.dispose();
  return statistics;
}

describe('tdhook explain --plugin', () => {
  it('runs the example plugin’s input × gradient by id, loaded by package name, equal to attribution’s', async () => {
    const out = join(scratch, 'by-name');
    const run = explainSeven(['@tdhook/example-plugin'], 'example/input-times-gradient', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/digit-7-test0\.png: predicted 7 .* explained 7/);
    expect(filesIn(out)).toEqual([
      'digit-7-test0.example-input-times-gradient.overlay.png',
      'digit-7-test0.example-input-times-gradient.png',
      'scores.json',
    ]);
    const scores = readJson(join(out, 'scores.json')) as Scores;
    expect(scores).toMatchObject({
      method: 'example/input-times-gradient',
      methodId: 'example/input-times-gradient',
      plugins: ['@tdhook/example-plugin'],
    });
    const image = scores.images[0];
    expect(image?.options).toEqual({ target: { select: 'argmax' }, multiplyByInput: true });
    // The plugin's map (one channel, drawn signed: its values) against saliency × input run here.
    const reference = await referenceInputTimesGradient();
    expect(image?.attribution.sum).toBeCloseTo(reference.sum, 4);
    expect(image?.attribution.min).toBeCloseTo(reference.min, 5);
    expect(image?.attribution.max).toBeCloseTo(reference.max, 5);
    expect(reference.max).toBeGreaterThan(0.1);
  });

  it('loads a plugin by path (its built module or its folder) and passes --target and --options to it', () => {
    for (const plugin of [join(examplePlugin, 'dist/index.js'), examplePlugin]) {
      const out = join(scratch, 'by-path');
      const run = explainSeven(
        [plugin],
        'example/input-times-gradient',
        '--target',
        '3',
        '--options',
        '{"multiplyByInput":false}',
        '--out',
        out,
      );
      expect(run.status, run.stderr).toBe(0);
      const image = (readJson(join(out, 'scores.json')) as Scores).images[0];
      expect(image?.explained.class).toBe(3);
      expect(image?.options).toEqual({ target: { select: 3 }, multiplyByInput: false });
    }
  });

  it('finds a package from the current folder', () => {
    const project = join(scratch, 'project');
    mkdirSync(join(project, 'node_modules', '@acme'), { recursive: true });
    symlinkSync(examplePlugin, join(project, 'node_modules', '@acme', 'methods'), 'dir');
    const run = spawnTdhook(['methods', '--plugin', '@acme/methods'], { cwd: project });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /example\/input-times-gradient\s+Input × gradient of the selected output unit \(from @acme\/methods\)/,
    );
  });

  it('lists the built-ins and plugin methods with tdhook methods', () => {
    const run = tdhook('methods', '--plugin', '@tdhook/example-plugin', '--json');
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as { name: string; id: string; plugin?: string }[];
    expect(rows.map((row) => row.name)).toEqual([
      'saliency',
      'ig',
      'smoothgrad',
      'guided',
      'gradcam',
      'lrp',
      'example/activation-norms',
      'example/input-times-gradient',
    ]);
    expect(rows[1]).toEqual({
      name: 'ig',
      id: 'attribution/integrated-gradients',
      summary: expect.stringMatching(/^Integrated gradients/) as unknown,
    });
    expect(rows[7]?.plugin).toBe('@tdhook/example-plugin');
  });

  it('fails with one line and exit code 3 for modules that are no usable plugin, creating nothing', () => {
    const out = join(scratch, 'bad-plugins');
    const ok = '@tdhook/example-plugin';
    const cases: [string[], string, RegExp][] = [
      [
        ['./missing-plugin.mjs'],
        'saliency',
        /^tdhook explain: plugin '\.\/missing-plugin\.mjs': no file at .*missing-plugin\.mjs\. /,
      ],
      [
        ['@acme/not-installed'],
        'saliency',
        /^tdhook explain: plugin '@acme\/not-installed': no such package, from .* or beside tdhook\. Install it/,
      ],
      [
        [fixture('throws-on-import.mjs')],
        'saliency',
        /throws-on-import\.mjs' failed to load: acme-methods: no licence key in ACME_KEY$/,
      ],
      [
        [fixture('no-methods.mjs')],
        'saliency',
        /no-methods\.mjs' exports no method factories \(what defineMethod from @tdhook\/core\/plugin returns\); it exports answer, helper\.$/,
      ],
      [
        [fixture('bare-definition.mjs')],
        'saliency',
        /bare-definition\.mjs' exports method definitions \(myMethod\), not method factories\. Export defineMethod\(definition\) instead \(defineMethod is in @tdhook\/core\/plugin\)\.$/,
      ],
      [
        [fixture('old-contract.mjs')],
        'saliency',
        /old-contract\.mjs': Method "acme\/old-method" declares contract "tdhook\.method\/0" .*implements 'tdhook\.method\/1'/,
      ],
      [
        [fixture('duplicate-id.mjs')],
        'saliency',
        /duplicate-id\.mjs': method id 'attribution\/saliency' is already registered by tdhook \(built in\)/,
      ],
      [
        [ok, fixture('same-id-as-example.mjs')],
        'saliency',
        /same-id-as-example\.mjs': method id 'example\/input-times-gradient' is already registered by plugin '@tdhook\/example-plugin'/,
      ],
      // A method that writes no image attribution: activation norms write ['norms', path].
      [
        [ok],
        'example/activation-norms',
        /Method 'example\/activation-norms' writes norms\/fc1, not an attribution at attr\/input/,
      ],
    ];
    for (const [plugins, method, phrase] of cases) {
      const run = explainSeven(
        plugins,
        method,
        ...(method === 'example/activation-norms' ? ['--options', '{"paths":["fc1"]}'] : []),
        '--out',
        out,
      );
      expect(run.status, plugins.join(' ')).toBe(3);
      expectOneLineError(run.stderr, phrase);
      expect(filesIn(out)).toBeNull();
    }
  });

  it('needs --plugin for a plugin id, takes plugin options only as --options, and cleans up a failing run', () => {
    const out = join(scratch, 'plugin-usage');
    const missing = explainSeven([], 'example/input-times-gradient');
    expect(missing.status).toBe(2);
    expectOneLineError(
      missing.stderr,
      /--method must be one of saliency, .*lrp \(a plugin method needs --plugin <module>\), got 'example\/input-times-gradient'/,
    );
    const steps = explainSeven(['@tdhook/example-plugin'], 'example/input-times-gradient', '--steps', '8');
    expect(steps.status).toBe(2);
    expectOneLineError(
      steps.stderr,
      /--steps is an option of ig; give example\/input-times-gradient's own options with --options '<json>'/,
    );
    // A plugin whose run throws, after the output folder was created: the folder goes again.
    mkdirSync(join(scratch, 'kept'), { recursive: true });
    writeFileSync(join(scratch, 'kept', 'before.txt'), 'mine');
    for (const folder of [out, join(scratch, 'kept')]) {
      const failing = explainSeven(
        [fixture('fails-while-running.mjs')],
        'test/fails-while-running',
        '--out',
        folder,
      );
      expect(failing.status).toBe(1);
      expectOneLineError(failing.stderr, /test\/fails-while-running always fails/);
    }
    expect(filesIn(out)).toBeNull();
    expect(filesIn(join(scratch, 'kept'))).toEqual(['before.txt']);
  });
});
