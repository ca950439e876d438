// What tdhook explain does with bad input: one line on stderr, the documented exit code, and nothing left
// behind: no partial output, and no folder this run created.
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digitPaths, emotionModelDir, mnistCnnDir, photoPaths } from '@tdhook/cv-assets';

import {
  backend,
  decode,
  expectOneLineError,
  explain,
  filesIn,
  packageDir,
  readJson,
  spawnTdhook,
} from './run-tdhook.js';

const seven = digitPaths[7] as string;
const nine = digitPaths[9] as string;
let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'tdhook-cli-bad-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const mnist = (...args: string[]) => explain('--model', mnistCnnDir, '--input', seven, ...args);

/** Root may write anywhere: as root, a command that must meet permissions runs as nobody (65534). */
const nobody = (): { user?: { uid: number; gid: number } } =>
  process.getuid?.() === 0 ? { user: { uid: 65534, gid: 65534 } } : {};

describe('tdhook explain on bad input', () => {
  it('refuses an output folder it cannot create (a file in the way), creating nothing', () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, 'not a folder');
    const run = mnist('--method', 'saliency', '--out', join(file, 'out'));
    expect(run.status).toBe(1);
    expectOneLineError(run.stderr, /Cannot create the output folder .*a-file\/out: .*a-file is a file/);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('refuses a scores.json it cannot write before any work, leaving the folder as it was', () => {
    const out = join(scratch, 'scores-is-a-folder');
    mkdirSync(join(out, 'scores.json'), { recursive: true });
    const run = mnist('--method', 'saliency', '--out', out);
    expect(run.status).toBe(1);
    expectOneLineError(
      run.stderr,
      /scores-is-a-folder\/scores\.json is a folder, and tdhook explain writes a file there/,
    );
    expect(filesIn(out)).toEqual(['scores.json']);
  });

  it('refuses a read-only scores.json, leaving it as it was', () => {
    chmodSync(scratch, 0o755);
    const out = join(scratch, 'read-only');
    mkdirSync(out, { recursive: true, mode: 0o777 });
    chmodSync(out, 0o777);
    writeFileSync(join(out, 'scores.json'), '{}\n');
    chmodSync(join(out, 'scores.json'), 0o444);
    const run = spawnTdhook(
      [
        'explain',
        '--backend',
        backend,
        '--quiet',
        '--model',
        mnistCnnDir,
        '--input',
        seven,
        '--method',
        'saliency',
        '--out',
        out,
      ],
      nobody(),
    );
    expect(run.status, run.stderr).toBe(1);
    expectOneLineError(run.stderr, /Cannot overwrite .*read-only\/scores\.json \(EACCES\)/);
    expect(filesIn(out)).toEqual(['scores.json']);
    expect(readFileSync(join(out, 'scores.json'), 'utf8')).toBe('{}\n');
  });

  it('bounds --steps and --samples, and the same counts given in --options, before loading anything', () => {
    const out = join(scratch, 'bounded');
    for (const [args, phrase] of [
      [
        ['--method', 'ig', '--steps', '100000000'],
        /--steps must be a whole number from 1 to 1000, got '100000000' \(1000 is tdhook explain's limit: each step is a backward pass\)/,
      ],
      [
        ['--method', 'smoothgrad', '--samples', '5000'],
        /--samples must be a whole number from 1 to 1000, got '5000' \(1000 is tdhook explain's limit: each sample is a backward pass\)/,
      ],
      [
        ['--method', 'ig', '--options', '{"steps":100000000}'],
        /--options steps 100000000 is above tdhook explain's limit of 1000/,
      ],
    ] as const) {
      const run = mnist(...args, '--out', out);
      expect(run.status, args.join(' ')).toBe(2);
      expectOneLineError(run.stderr, phrase);
    }
    expect(filesIn(out)).toBeNull();
  });

  it('reads --steps -1 and --baseline -0.5 as values: the first is out of range, the second runs', () => {
    const out = join(scratch, 'negative');
    const steps = mnist('--method', 'ig', '--steps', '-1', '--out', out);
    expect(steps.status).toBe(2);
    expectOneLineError(
      steps.stderr,
      /^tdhook: --steps must be a whole number from 1 to 1000, got '-1' \(see tdhook explain --help\)$/,
    );
    expect(filesIn(out)).toBeNull();
    const baseline = mnist('--method', 'ig', '--steps', '8', '--baseline', '-0.5', '--out', out);
    expect(baseline.status, baseline.stderr).toBe(0);
    expect(
      (readJson(join(out, 'scores.json')) as { images: { options: { baselines: number } }[] }).images[0]
        ?.options.baselines,
    ).toBe(-0.5);
  });

  it('refuses a --target class the model does not have with exit code 2', () => {
    const out = join(scratch, 'target');
    const run = mnist('--method', 'ig', '--target', '10', '--out', out);
    expect(run.status).toBe(2);
    expectOneLineError(run.stderr, /--target 10 is not a class of this model: it has 10 classes, 0 to 9/);
    expect(filesIn(out)).toBeNull();
  });

  it('refuses --labels whose count is not the model’s, and warns about model.json labels that do not fit', () => {
    const out = join(scratch, 'labels');
    const run = mnist('--method', 'saliency', '--labels', 'cat,dog', '--out', out);
    expect(run.status).toBe(2);
    expectOneLineError(
      run.stderr,
      /--labels names 2 classes, but the model has 10: give 10 comma-separated names/,
    );
    expect(filesIn(out)).toBeNull();
    // A copy of the MNIST CNN whose metadata names three classes.
    const model = join(scratch, 'mnist-three-labels');
    cpSync(mnistCnnDir, model, { recursive: true });
    const json = readJson(join(model, 'model.json')) as {
      userDefinedMetadata: { tdhook: { labels: string[] } };
    };
    json.userDefinedMetadata.tdhook.labels = ['a', 'b', 'c'];
    writeFileSync(join(model, 'model.json'), JSON.stringify(json));
    const warned = explain('--model', model, '--input', seven, '--method', 'saliency', '--out', out);
    expect(warned.status, warned.stderr).toBe(0);
    expectOneLineError(
      warned.stderr,
      /^tdhook explain: warning: model\.json's labels name 3 classes, but the model has 10: they are ignored/,
    );
    expect((readJson(join(out, 'scores.json')) as { labels: unknown }).labels).toBeNull();
  });

  it('removes the folder it created when the run fails late, and keeps what was there before', () => {
    const created = join(scratch, 'late', 'new', 'out');
    const layer = mnist('--method', 'gradcam', '--layer', 'conv9', '--out', created);
    expect(layer.status).toBe(1);
    expectOneLineError(layer.stderr, /no submodule conv9/);
    expect(filesIn(join(scratch, 'late'))).toBeNull();
    // LRP on a Graph model fails once the method is configured, after the folder was made.
    const existing = join(scratch, 'existing');
    mkdirSync(existing, { recursive: true });
    writeFileSync(join(existing, 'notes.txt'), 'mine');
    const graph = explain(
      '--model',
      emotionModelDir(),
      '--input',
      photoPaths.astronaut,
      '--method',
      'lrp',
      '--out',
      existing,
    );
    expect(graph.status).toBe(1);
    expectOneLineError(graph.stderr, /LRP rules exist for Layers layers/);
    expect(filesIn(existing)).toEqual(['notes.txt']);
    // The second of two images fails: the first image's files go too.
    const text = join(scratch, 'notes.png');
    writeFileSync(text, 'not an image');
    const second = explain(
      '--model',
      mnistCnnDir,
      '--input',
      seven,
      text,
      '--method',
      'saliency',
      '--out',
      created,
    );
    expect(second.status).toBe(1);
    expectOneLineError(second.stderr, /notes\.png is not a PNG or JPEG image/);
    expect(filesIn(join(scratch, 'late'))).toBeNull();
  });

  it('downscales an image larger than 4096 pixels on a side, with a warning', () => {
    const wide = new PNG({ width: 4200, height: 8 });
    for (let i = 0; i < wide.data.length; i += 4) {
      wide.data[i] = (i / 4) % 256;
      wide.data[i + 3] = 255;
    }
    const path = join(scratch, 'wide.png');
    writeFileSync(path, PNG.sync.write(wide));
    const out = join(scratch, 'wide');
    const run = explain('--model', mnistCnnDir, '--input', path, '--method', 'saliency', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expectOneLineError(
      run.stderr,
      /^tdhook explain: warning: wide\.png is 4200×8 pixels, more than 4096 on a side: it is downscaled to 4096×8 first$/,
    );
    const overlay = decode(join(out, 'wide.saliency.overlay.png'));
    expect([overlay.width, overlay.height]).toEqual([4096, 8]);
  });

  it('warns when a Grad-CAM map is all zero, and records why in scores.json', () => {
    const out = join(scratch, 'blank');
    const run = explain('--model', mnistCnnDir, '--input', nine, '--method', 'gradcam', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    expectOneLineError(
      run.stderr,
      /^tdhook explain: warning: digit-9-test7\.png: the gradcam map is all zero, so its heatmap is blank: Grad-CAM keeps only positive evidence, and layer pool2 has none for 9; try an earlier --layer/,
    );
    const scores = readJson(join(out, 'scores.json')) as {
      images: { attribution: { max: number }; warnings: string[] }[];
    };
    expect(scores.images[0]?.attribution.max).toBe(0);
    expect(scores.images[0]?.warnings).toHaveLength(1);
    // The same digit at conv1 has positive evidence: no warning.
    const conv1 = explain(
      '--model',
      mnistCnnDir,
      '--input',
      nine,
      '--method',
      'gradcam',
      '--layer',
      'conv1',
      '--out',
      out,
    );
    expect(conv1.status).toBe(0);
    expect(conv1.stderr).toBe('');
  });

  it('refuses flags that belong to another method', () => {
    for (const [args, phrase] of [
      [['--method', 'saliency', '--steps', '8'], /--steps is an option of ig, not of saliency/],
      [['--method', 'ig', '--layer', 'conv1'], /--layer is an option of gradcam, not of ig/],
      [['--method', 'gradcam', '--composite', 'epsilon'], /--composite is an option of lrp, not of gradcam/],
    ] as const) {
      const run = mnist(...args, '--out', join(scratch, 'flags'));
      expect(run.status, args.join(' ')).toBe(2);
      expectOneLineError(run.stderr, phrase);
    }
  });

  it('refuses --options that are not a JSON object', () => {
    for (const [text, phrase] of [
      ['{steps: 8}', /--options is not valid JSON/],
      ['[1, 2]', /--options must be a JSON object/],
    ] as const) {
      const run = mnist('--method', 'ig', '--options', text, '--out', join(scratch, 'options'));
      expect(run.status, text).toBe(2);
      expectOneLineError(run.stderr, phrase);
    }
  });

  it('refuses an existing --out folder it cannot write to before any work, leaving it as it was', () => {
    chmodSync(scratch, 0o755);
    const out = join(scratch, 'read-only-folder');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'notes.txt'), 'mine');
    chmodSync(out, 0o555);
    const run = spawnTdhook(
      [
        'explain',
        '--backend',
        backend,
        '--model',
        mnistCnnDir,
        '--input',
        seven,
        '--method',
        'saliency',
        '--out',
        out,
      ],
      nobody(),
    );
    chmodSync(out, 0o755);
    expect(run.status, run.stderr).toBe(1);
    // No progress either: the run stopped before the first image.
    expectOneLineError(
      run.stderr,
      /^tdhook explain: Cannot write to the output folder .*read-only-folder \(EACCES\) \(at --out\)\. Give --out a folder you can write to/,
    );
    expect(run.stdout).toBe('');
    expect(filesIn(out)).toEqual(['notes.txt']);
  });

  it('refuses a target in --options with exit code 2: --target says what is explained', () => {
    const out = join(scratch, 'options-target');
    for (const method of ['ig', 'saliency']) {
      const run = mnist(
        '--method',
        method,
        '--target',
        '3',
        '--options',
        '{"target":{"select":5}}',
        '--out',
        out,
      );
      expect(run.status, method).toBe(2);
      expectOneLineError(
        run.stderr,
        /^tdhook: --options cannot set target: give the class to explain with --target \(argmax, a class index or a label\) \(see tdhook explain --help\)$/,
      );
    }
    expect(filesIn(out)).toBeNull();
  });

  it('fails a built-in that --options made write elsewhere with exit code 1, not the plugin code 3', () => {
    const out = join(scratch, 'options-key');
    const run = mnist('--method', 'saliency', '--options', '{"attributionKey":"elsewhere"}', '--out', out);
    expect(run.status, run.stderr).toBe(1);
    expectOneLineError(
      run.stderr,
      /^tdhook explain: Method 'attribution\/saliency' writes .*elsewhere\/input.*, not an attribution at attr\/input/,
    );
    expect(filesIn(out)).toBeNull();
  });

  it('starts warnings and errors on a line of their own below the progress bar on a terminal', () => {
    const terminal = {
      env: {
        ...process.env,
        NODE_OPTIONS: `--import=${pathToFileURL(join(packageDir, 'test/fixtures/stderr-is-a-terminal.mjs')).href}`,
      },
    };
    const run = (...args: string[]) =>
      spawnTdhook(
        ['explain', '--backend', backend, '--model', mnistCnnDir, '--method', 'gradcam', ...args],
        terminal,
      );
    // The bar draws with '\r' and no newline; a line that holds a warning or an error holds nothing else.
    const textLines = (stderr: string) => stderr.split('\n').map((line) => line.split('\r').at(-1) ?? '');
    const warned = run('--input', nine, seven, '--out', join(scratch, 'terminal'));
    expect(warned.status, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/\rgradcam [█░]+ +0% /);
    const warning = warned.stderr.split('\n').find((line) => line.includes('warning'));
    expect(warning).toMatch(/^tdhook explain: warning: digit-9-test7\.png: the gradcam map is all zero/);
    expect(textLines(warned.stderr).at(-1)).toBe('');
    const failed = run('--input', seven, seven, '--out', join(scratch, 'terminal-fails'), '--layer', 'conv9');
    expect(failed.status).toBe(1);
    const error = failed.stderr.split('\n').find((line) => line.includes('conv9'));
    expect(error).toMatch(/^tdhook explain: Cannot resolve module path 'conv9'/);
    expect(failed.stderr).toMatch(/\rgradcam [█░]+ +0% .*\n/);
  });
});
