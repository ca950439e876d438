// The main job end to end: `node dist/main.js` (what `pnpm demo` runs) into a scratch folder, then the HTML
// report read as text (no machine paths, the facts a reader needs, the colour scales stated) and opened in
// headless Chromium: every picture must load at a readable size, the charts must be there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { colormaps, decodeImage, type ColormapName, type RgbaImage } from '@tdhook/adapter-cv';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findChromium } from './find-chromium.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const repositoryRoot = resolve(appDir, '../..');

/** The report's text without embedded pictures and charts (base64 and SVG markup hold '/' too). */
function reportText(html: string): string {
  return html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]+/g, '').replace(/<svg[\s\S]*?<\/svg>/g, '');
}

/**
 * Whether a row of `image` holds a colour bar of `colormap`: neighbouring pixels that walk through the
 * colour map in order, from its first colours to its last, in 50 or more distinct steps. Heatmap tiles
 * (maps of at most 224 values a row, or 28 enlarged in blocks) never do.
 */
function hasColourBar(image: RgbaImage, colormap: ColormapName): boolean {
  const lut = colormaps[colormap];
  const rgb = (r = 0, g = 0, b = 0): number => (r << 16) | (g << 8) | b;
  const index = new Map<number, number>();
  for (let i = 255; i >= 0; i--) index.set(rgb(lut[i * 3], lut[i * 3 + 1], lut[i * 3 + 2]), i);
  for (let y = 0; y < image.height; y++) {
    let first = -1;
    let last = -1;
    let steps = 0;
    for (let x = 0; x < image.width; x++) {
      const p = (y * image.width + x) * 4;
      const at = index.get(rgb(image.data[p], image.data[p + 1], image.data[p + 2])) ?? -1;
      if (at >= 0 && last >= 0 && at >= last) {
        if (at > last) steps++;
        last = at;
      } else [first, last, steps] = [at, at, 0];
      if (first >= 0 && first <= 2 && last >= 253 && steps >= 50) return true;
    }
  }
  return false;
}

const executable = findChromium();
let outDir = '';
let demo: ReturnType<typeof spawnSync>;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'tdhook-demo-'));
  demo = spawnSync(process.execPath, ['dist/main.js'], {
    cwd: appDir,
    env: { ...process.env, TDHOOK_DEMO_OUT: outDir },
    encoding: 'utf8',
    // ~90 s alone; `pnpm test` runs every package's tests at once on CI's 2 cores, which stretched it past 280 s.
    timeout: 560_000,
  });
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

describe('pnpm demo', () => {
  it('exits 0 with every reference matched and no tensor leaked', () => {
    expect(demo.status, String(demo.stderr)).toBe(0);
    expect(String(demo.stdout)).toMatch(/55\/55 match/);
    expect(String(demo.stdout)).toMatch(/tensors leaked: 0;/);
  });

  it('matches gpt2-tiny and shows a trained IOI model that solves its held-out prompts', () => {
    expect(String(demo.stdout)).toMatch(/gpt2-tiny: (\d+)\/\1 reference items within tolerance/);
    const accuracy = /IOI model: held-out accuracy ([\d.]+) %/.exec(String(demo.stdout));
    expect(Number(accuracy?.[1])).toBeGreaterThanOrEqual(95);
    const text = reportText(readFileSync(join(outDir, 'index.html'), 'utf8'));
    expect(text).toContain('Head ablations: one head’s output (hook_z) set to zero');
    // Token attributions (IOI: IG and LRP; lande: three sentences) as shaded text, with values on hover.
    expect(text.match(/class="tdhook-text-attribution"/g)).toHaveLength(2);
    expect(text).toMatch(/eng \(p = [\d.]+\).*deu \(p = [\d.]+\).*fra \(p = [\d.]+\)/s);
  });

  it('prints a tidy first line: the backend in words, no paths', () => {
    const first = String(demo.stdout)
      .split('\n')
      .find((line) => line.startsWith('tdhook demo:'));
    expect(first).toMatch(/^tdhook demo: TF\.js \S+ on .+; \d+ kernel patches self-tested in \d+ ms$/);
    expect(first).not.toMatch(/\/\w+\//);
  });

  it('writes the PNGs and a self-contained index.html', () => {
    const files = readdirSync(outDir);
    expect(files).toContain('index.html');
    expect(files.filter((file) => file.endsWith('.png')).sort()).toEqual([
      'concept-lrp.png',
      'emotion-graph.png',
      'intervention-ioi-heads.png',
      'mnist-methods.png',
      'mobilenet-methods.png',
      'nlp-ioi-attention-layer0.png',
      'nlp-ioi-attention-layer1.png',
      'probing-mnist-cka.png',
      'probing-mnist-dimension.png',
      'probing-mnist-probes.png',
      'probing-nlp-cka.png',
      'probing-nlp-dimension.png',
      'probing-nlp-probes.png',
      'rl-cartpole-frames.png',
      'rl-corridor-outcomes.png',
      'rl-corridor-trajectories.png',
    ]);
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    // Self-contained: no file or network references, pictures as data URIs.
    expect(html).not.toMatch(/<img[^>]+src="(?!data:image\/png;base64,)/);
    expect(html).not.toMatch(/<(script|link)\b/);
  });

  it('shows no path of the machine that made it', () => {
    const text = reportText(readFileSync(join(outDir, 'index.html'), 'utf8'));
    for (const path of [outDir, repositoryRoot, homedir(), tmpdir()]) expect(text).not.toContain(path);
    expect(text).not.toMatch(/file:|imported from|Cannot find package/);
    // No absolute path at all: a '/' that starts a word and has two or more segments.
    expect(text).not.toMatch(/(^|[\s"'(=>])\/[\w.@+-]+\/[\w.@+-]+/m);
  });

  it('says in its header which backend ran, what was patched and how long it took', () => {
    const text = reportText(readFileSync(join(outDir, 'index.html'), 'utf8'));
    expect(text).toMatch(/<dt>Run<\/dt><dd>pnpm demo on \d{4}-\d\d-\d\d, \d+ s in all \(reference checks/);
    expect(text).toMatch(
      /<dt>Backend<\/dt><dd>(WebAssembly \(wasm\)|plain JavaScript \(cpu\)|native TensorFlow)/,
    );
    expect(text).toMatch(/<dt>Kernel patches<\/dt><dd>(\d+ installed, each checked|none needed)/);
  });

  it('states the colour scales, labels the MobileNetV2 classes and explains the empty Grad-CAM tile', () => {
    const text = reportText(readFileSync(join(outDir, 'index.html'), 'utf8'));
    expect(text).toContain('colours saturate at the 99th percentile of |value|');
    // The MNIST caption lists every column's scale.
    expect(text).toMatch(
      /values: saliency 0 to [\d.]+; integrated gradients ±[\d.]+; SmoothGrad 0 to [\d.]+; guided backprop ±[\d.]+; Grad-CAM 0 to [\d.]+; LRP ε\+ ±[\d.]+\)/,
    );
    expect(text).toContain(
      'This MobileNetV2 is not an ImageNet classifier: it is the content-type classifier of nsfwjs 4.3.0 (MIT), with five classes: Drawing, Hentai, Neutral, Porn, Sexy.',
    );
    expect(text).toMatch(
      /<p class="note">Grad-CAM's tile for the 9 is empty, not broken\. .* the weighted sum is negative at all \d+×\d+ positions of conv2 \(its largest value is -[\d.]+\)/,
    );
  });

  it('probes the MNIST CNN and the character model layer by layer, with the numbers in tables', () => {
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      sections: { id: string; tables: { caption: string; header: string[]; rows: string[][] }[] }[];
    };
    for (const [id, layers] of [
      ['probing-mnist', 7],
      ['probing-nlp', 5],
    ] as const) {
      const section = summary.sections.find((candidate) => candidate.id === id);
      const [probes, dimensions, cka] = section?.tables ?? [];
      expect(probes?.rows).toHaveLength(layers);
      expect(dimensions?.rows).toHaveLength(layers);
      expect(cka?.rows).toHaveLength(layers);
      const percent = (cell: string | undefined): number => Number.parseFloat(cell ?? 'NaN');
      // The probe beats its shuffled-label control (balanced accuracy) at the last layer; the control stays near chance.
      const last = probes?.rows.at(-1);
      expect(percent(last?.[3])).toBeGreaterThan(percent(last?.[5]) + 20);
      for (const row of probes?.rows ?? []) {
        expect(Math.abs(percent(row[5]) - 50)).toBeLessThan(10);
        // probe − control is the balanced accuracies' difference, as the plot shows.
        expect(percent(row[6])).toBeCloseTo(percent(row[3]) - percent(row[5]), 0);
      }
      // Each row names its solver, and says where it is not scikit-learn's optimum.
      const solvers = probes?.rows.map((row) => row.at(-1));
      if (id === 'probing-mnist') {
        expect(solvers?.slice(0, 5)).toEqual(Array(5).fill('mini-batch Adam, 5 epochs (approximate)'));
        expect(solvers?.slice(5)).toEqual(['Newton, converged', 'Newton, converged']);
      } else expect(solvers).toEqual(Array(layers).fill('Newton, converged'));
      // CKA is 1 on the diagonal and within [0, 1].
      cka?.rows.forEach((row, index) => {
        expect(row[index + 1]).toBe('1.000');
        for (const cell of row.slice(1)) expect(Number(cell)).toBeLessThanOrEqual(1);
      });
    }
    const cka = decodeImage(readFileSync(join(outDir, 'probing-mnist-cka.png')));
    expect(hasColourBar(cka, 'viridis')).toBe(true);
    expect(String(demo.stdout)).toMatch(/MNIST CNN: TwoNN and local kNN per layer \(one operator Workflow\)/);
  });

  it('patches, estimates, ablates and steers, with the numbers in tables', () => {
    interface SummaryTable {
      caption: string;
      header: string[];
      rows: string[][];
    }
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      sections: { id: string; tables: SummaryTable[] }[];
    };
    const tables = (id: string): SummaryTable[] =>
      summary.sections.find((candidate) => candidate.id === id)?.tables ?? [];
    const [correlations, ablations, steering, mnist] = tables('intervention');
    const column = (table: SummaryTable | undefined, index: number): number[] =>
      (table?.rows ?? []).map((row) => Number(row[index]));
    // Per head and per (layer, position) on the ABC pairs: the AtP/RelP study's correlations, recomputed
    // (packages/intervention/docs/atp-relp-study.json; the report rounds to 3 significant digits).
    const study = JSON.parse(
      readFileSync(join(repositoryRoot, 'packages/intervention/docs/atp-relp-study.json'), 'utf8'),
    ) as {
      studies: {
        model: string;
        grids: { grid: string; atp: Record<string, number>; relp: Record<string, number> }[];
      }[];
    };
    const ioiGrids = study.studies.find((one) => one.model === 'ioi')?.grids ?? [];
    expect(correlations?.rows).toHaveLength(3);
    for (const [row, grid] of [
      [correlations?.rows[0], 'head'],
      [correlations?.rows[1], 'layer-position'],
    ] as const) {
      const expected = ioiGrids.find((one) => one.grid === grid);
      const measured = (row ?? []).slice(2, 6).map(Number);
      const reference = [
        expected?.atp.pearson,
        expected?.atp.spearman,
        expected?.relp.pearson,
        expected?.relp.spearman,
      ];
      measured.forEach((value, index) => {
        expect(value).toBeCloseTo(reference[index] ?? Number.NaN, 2);
      });
    }
    // On the flipped pairs AtP's per-head Pearson falls (the disagreement the section explains).
    expect(Number(correlations?.rows[2]?.[2])).toBeLessThan(0.5);
    // Head ablation through steeringVectors repeats the IOI section's hand-written-hook table exactly.
    const handWritten = tables('nlp-ioi').find((table) => table.caption.startsWith('Head ablations'));
    expect(ablations?.rows.map((row) => row[0])).toEqual(handWritten?.rows.map((row) => row[0]));
    expect(column(ablations, 1)).toEqual(column(handWritten, 1));
    expect(column(ablations, 2)).toEqual(column(handWritten, 2));
    // Per head, AtP within 25 % of patching on every layer-1 head, RelP within 25 % too; RelP misses L0H0.
    const [patching, atp, relp] = [3, 4, 5].map((index) => column(ablations, index));
    for (let head = 4; head < 8; head++) {
      expect(Math.abs((atp?.[head] ?? 0) / (patching?.[head] ?? 1) - 1)).toBeLessThan(0.25);
      expect(Math.abs((relp?.[head] ?? 0) / (patching?.[head] ?? 1) - 1)).toBeLessThan(0.25);
    }
    expect(patching?.[0]).toBeGreaterThan(10);
    expect(relp?.[0]).toBeLessThan(2);
    // Activation addition: dialogue marks grow with the coefficient; at the largest the letters collapse.
    const marks = column(steering, 1);
    const letters = column(steering, 2);
    expect(marks.length).toBeGreaterThanOrEqual(4);
    marks.slice(1).forEach((value, index) => {
      expect(value).toBeGreaterThan(marks[index] ?? 0);
    });
    expect(marks[2]).toBeGreaterThan((marks[0] ?? 0) + 1);
    expect(letters.at(-1)).toBeLessThan((letters[0] ?? 0) - 20);
    // MNIST: the 9 is a 9 until conv2 channels of the 4 are patched into it; the 4 (all 16 patched) is a 4.
    const argmax = (values: number[]): number => values.indexOf(Math.max(...values));
    expect(mnist?.rows).toHaveLength(10);
    expect(argmax(column(mnist, 1))).toBe(9);
    expect(argmax(column(mnist, 2))).toBe(9);
    expect(argmax(column(mnist, (mnist?.header.length ?? 0) - 1))).toBe(4);
    const heads = decodeImage(readFileSync(join(outDir, 'intervention-ioi-heads.png')));
    expect(hasColourBar(heads, 'bwr')).toBe(true);
  });

  it('prunes, splices a sparse autoencoder and forgets a digit, with the numbers in tables', () => {
    interface SummaryTable {
      caption: string;
      header: string[];
      rows: string[][];
    }
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      sections: { id: string; tables: SummaryTable[] }[];
    };
    const [pruned, sae, forget] = summary.sections.find((one) => one.id === 'weights')?.tables ?? [];
    const percent = (cell: string | undefined): number => Number.parseFloat(cell ?? 'NaN');
    // Pruning: unpruned accuracy ≥ 98 %, every importance within a point of it at 50 %, all worse at 95 %;
    // the measured sparsity follows the amount.
    expect(pruned?.header).toEqual([
      'amount',
      'sparsity',
      'magnitude |θ| accuracy',
      'attribution × |θ| accuracy',
      'Taylor |θ ⊙ ∂loss/∂θ| accuracy',
    ]);
    const row = (amount: string): string[] => pruned?.rows.find((one) => one[0] === amount) ?? [];
    for (const column of [2, 3, 4]) {
      expect(percent(row('0 %')[column])).toBeGreaterThanOrEqual(98);
      expect(percent(row('50 %')[column])).toBeGreaterThan(percent(row('0 %')[column]) - 1);
      expect(percent(row('95 %')[column])).toBeLessThan(percent(row('50 %')[column]) - 5);
    }
    // A fair comparison: every importance reaches the same measured sparsity (one value per row).
    for (const one of pruned?.rows ?? []) {
      expect(one[1]).not.toMatch(/\//);
      expect(Math.abs(percent(one[1]) - percent(one[0]))).toBeLessThan(1);
    }
    // The autoencoder: most of the stream's variance explained, k features per position, and most of the loss
    // recovered when spliced in.
    const measure = (name: string): string =>
      sae?.rows.find((one) => (one[0] ?? '').startsWith(name))?.[1] ?? '';
    expect(percent(measure('explained variance'))).toBeGreaterThan(80);
    expect(Number(measure('L0'))).toBeLessThanOrEqual(16);
    expect(percent(measure('loss recovered'))).toBeGreaterThan(90);
    expect(Number(measure('… with the autoencoder'))).toBeLessThan(
      Number(measure('… with the stream zeroed')),
    );
    // Task vectors: α = 0 is the original; the chosen α forgets the digit (< 20 %) and is adequate.
    const chosen = forget?.rows.find((one) => one[4] === '←');
    expect(forget?.rows[0]?.[0]).toBe('0');
    expect(percent(forget?.rows[0]?.[1])).toBeGreaterThan(95);
    expect(chosen?.[3]).toBe('yes');
    expect(percent(chosen?.[1])).toBeLessThan(20);
    expect(percent(chosen?.[2])).toBeGreaterThan(90);
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/<section id="weights">/);
    // The pruning prose says where each score put its zeros at 80 %, read from the model by measureSparsity.
    expect(html).toMatch(/measureSparsity per kernel; magnitude \|θ\|: conv1 \d+ %, conv2 \d+ %/);
    expect(
      html.match(/class="sae-features"[\s\S]*?<\/div>/)?.[0].match(/<mark>/g)?.length,
    ).toBeGreaterThanOrEqual(12);
  });

  it('rolls out CartPole with attributions, probes its layers and steers the corridor agent, with the numbers in tables', () => {
    interface SummaryTable {
      caption: string;
      header: string[];
      rows: string[][];
    }
    const summary = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      sections: { id: string; tables: SummaryTable[] }[];
    };
    const [attribution, probes, steering] = summary.sections.find((one) => one.id === 'rl')?.tables ?? [];
    const percent = (cell: string | undefined): number => Number.parseFloat(cell ?? 'NaN');
    // The committed PPO policy balances the episode to its limit; IG adds up to the change from the baseline.
    const episode =
      /CartPole episode: (\d+) steps, return (\d+); IG completeness gap (\S+) \(action\), (\S+) \(value\)/.exec(
        String(demo.stdout),
      );
    expect(Number(episode?.[2])).toBeGreaterThanOrEqual(475);
    expect(Number(episode?.[3])).toBeLessThan(1e-3);
    expect(Number(episode?.[4])).toBeLessThan(1e-3);
    // Attribution shares: one row per observation variable, each head's shares adding up to 100 %.
    expect(attribution?.rows.map((row) => row[0])).toEqual([
      'cart_position',
      'cart_velocity',
      'pole_angle',
      'pole_angular_velocity',
    ]);
    for (const column of [1, 2]) {
      const total = (attribution?.rows ?? []).reduce((sum, row) => sum + percent(row[column]), 0);
      expect(total).toBeCloseTo(100, 0);
    }
    // Probes: the observation baseline reads the pole angle and the cart velocity exactly (they are inputs);
    // the critic's hidden layers predict the value; every control stays near chance (R² ≈ 0, accuracy ≈ ½).
    expect(probes?.header).toEqual([
      'layer',
      'width',
      'action accuracy',
      'value R²',
      'pole_angle R²',
      'cart_velocity R²',
    ]);
    const probe = (layer: string, column: number): [number, number] => {
      const cell = probes?.rows.find((row) => row[0] === layer)?.[column] ?? '';
      const match = /^(-?[\d.]+) \((-?[\d.]+)\)$/.exec(cell);
      return [Number(match?.[1]), Number(match?.[2])];
    };
    expect(probe('observation', 4)[0]).toBeGreaterThan(0.99);
    expect(probe('observation', 5)[0]).toBeGreaterThan(0.99);
    expect(probe('critic.3', 3)[0]).toBeGreaterThan(0.9);
    for (const row of probes?.rows ?? []) {
      const layer = row[0] ?? '';
      expect(probe(layer, 2)[1]).toBeLessThan(0.65);
      for (const column of [3, 4, 5]) expect(probe(layer, column)[1]).toBeLessThan(0.1);
    }
    // Steering: every pair reaches its goal before; the vector makes the agent walk right and miss left goals.
    expect(steering?.rows.map((row) => row[0])).toEqual(['before', 'steered']);
    const [before, steered] = steering?.rows ?? [];
    expect(percent(before?.[1])).toBe(100);
    expect(percent(steered?.[1])).toBeLessThan(90);
    expect(percent(steered?.[2])).toBeLessThan(percent(before?.[2]));
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    expect(html).toMatch(/<section id="rl">/);
    for (const file of [
      'rl-cartpole-frames.png',
      'rl-corridor-trajectories.png',
      'rl-corridor-outcomes.png',
    ]) {
      expect(existsSync(join(outDir, file)), file).toBe(true);
    }
  });

  it('draws colour bars into the heatmap figures', () => {
    const mnist = decodeImage(readFileSync(join(outDir, 'mnist-methods.png')));
    expect(hasColourBar(mnist, 'bwr')).toBe(true);
    expect(hasColourBar(mnist, 'inferno')).toBe(true);
    const photos = decodeImage(readFileSync(join(outDir, 'mobilenet-methods.png')));
    expect(hasColourBar(photos, 'bwr')).toBe(true);
    expect(hasColourBar(photos, 'inferno')).toBe(true);
    expect(hasColourBar(decodeImage(readFileSync(join(outDir, 'concept-lrp.png'))), 'bwr')).toBe(true);
    const attention = decodeImage(readFileSync(join(outDir, 'nlp-ioi-attention-layer1.png')));
    expect(hasColourBar(attention, 'viridis')).toBe(true);
  });
});

describe.skipIf(executable === undefined)('the report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: executable as string,
      headless: true,
      // The machine is offline and tests run as root: no sandbox, no background network traffic.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser.close();
  });

  it('renders every image (none broken) and every chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url().slice(0, 80)));
    await page.goto(`file://${join(outDir, 'index.html')}`, { waitUntil: 'load' });
    const images = await page.$$eval('img', (elements) =>
      elements.map((image) => ({
        file: image.dataset.file ?? '',
        complete: image.complete,
        width: image.naturalWidth,
        height: image.naturalHeight,
        shownWidth: image.clientWidth,
      })),
    );
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) {
      expect(image.complete, image.file).toBe(true);
      expect(image.width, image.file).toBeGreaterThan(100);
      expect(image.height, image.file).toBeGreaterThan(100);
      // At a normal width every figure is shown at its own size: its bitmap labels are not shrunk.
      expect(image.shownWidth, image.file).toBe(image.width);
    }
    const charts = await page.$$eval('figure svg', (elements) =>
      elements.map((svg) => svg.getBoundingClientRect().width),
    );
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const width of charts) expect(width).toBeGreaterThan(200);
    const sections = await page.$$eval('section h2', (headings) =>
      headings.map((heading) => heading.textContent),
    );
    expect(sections).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/MNIST/),
        expect.stringMatching(/MobileNetV2/),
        expect.stringMatching(/Concept/),
        expect.stringMatching(/Graph/),
        expect.stringMatching(/indirect-object identification/),
        expect.stringMatching(/lande/),
        expect.stringMatching(/GPT-2 checkpoint/),
        expect.stringMatching(/Intervention/),
        expect.stringMatching(/Weights/),
        expect.stringMatching(/Reinforcement learning/),
      ]),
    );
    expect(failed).toEqual([]);
    const screenshot = process.env.TDHOOK_REPORT_SCREENSHOT;
    if (screenshot !== undefined && screenshot !== '')
      await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
  });
});

it.skipIf(executable !== undefined)(
  'headless Chromium is installed (apt-get install chromium-headless-shell, or set TDHOOK_CHROMIUM)',
  () => {
    // Off CI a missing browser skips the report check; CI (TDHOOK_REQUIRE_CHROMIUM=1) fails instead.
    expect(process.env.TDHOOK_REQUIRE_CHROMIUM ?? '').not.toBe('1');
    expect(existsSync('/usr/bin/chromium-headless-shell')).toBe(false);
  },
);
