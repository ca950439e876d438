import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { decodeImage } from '@tdhook/adapter-cv';
import { colormapColor } from '@tdhook/adapter-cv/render';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import {
  ansiColorSupport,
  attentionPatternPng,
  attributionAnsi,
  attributionHtml,
  tokenLabel,
  type AttributedText,
} from '../src/index.js';

const ioi: AttributedText = {
  label: 'integrated gradients → " Mary"',
  tokens: ['When', ' Mary', ' and', ' John', ' went'],
  scores: [0.01, 0.62, -0.05, -0.31, 0],
};
const esc = '\u001b';

// Set TDHOOK_VIEWS_OUT to a folder to keep the rendered files (to look at them).
function keep(name: string, content: string | Uint8Array): void {
  const folder = process.env['TDHOOK_VIEWS_OUT'];
  if (folder === undefined) return;
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name), content);
}

describe('attributionAnsi', () => {
  it('shades tokens by sign and size in 24-bit colour, with a scale line', () => {
    const text = attributionAnsi(ioi);
    keep('ioi.ansi.txt', text);
    // The largest positive score is full red with white ink; the negative one is 0.31/0.62 = half blue.
    expect(text).toContain(`${esc}[48;2;214;39;40;38;2;255;255;255m Mary${esc}[0m`);
    expect(text).toContain(`${esc}[48;2;143;177;228;38;2;0;0;0m John${esc}[0m`);
    // 0 is white.
    expect(text).toContain(`${esc}[48;2;255;255;255;38;2;0;0;0m went${esc}[0m`);
    expect(text.split('\n')[0]).toBe(`${esc}[1mintegrated gradients → " Mary"${esc}[0m`);
    expect(text).toMatch(/^-0\.62 .* \+0\.62$/m);
  });

  it('uses the xterm-256 palette when asked', () => {
    const text = attributionAnsi(ioi, { color: '256' });
    expect(text).toContain(`${esc}[48;5;${16 + 36 * 4 + 6 * 1 + 1};38;5;231m Mary`);
    expect(text).not.toContain('48;2;');
  });

  it('without colour writes a table with sign-aware bars and no escapes', () => {
    const text = attributionAnsi(ioi, { color: 'none', barWidth: 10 });
    keep('ioi.plain.txt', text);
    expect(text).not.toContain(esc);
    const lines = text.split('\n');
    expect(lines[0]).toBe('integrated gradients → " Mary"');
    expect(lines[2]).toBe(`1  " Mary"      +0.62            |++++++++++`);
    expect(lines[4]).toBe(`3  " John"      -0.31       -----|`);
    expect(lines[5]).toBe(`4  " went"          0            |`);
    expect(lines[6]).toBe('scale: |score| 0.62 = full bar');
  });

  it('shows the original text between offsets uncoloured and never passes control characters through', () => {
    const row: AttributedText = {
      tokens: ['Hi', 'Ġthere', '\u001b[31m'],
      scores: [1, -1, 0.5],
      text: 'Hi  there\n\u001b[31m!',
      offsets: [
        [0, 2],
        [4, 9],
        [10, 15],
      ],
    };
    const text = attributionAnsi(row);
    expect(text.split('\n')[0]).toBe(
      `${esc}[48;2;214;39;40;38;2;255;255;255mHi${esc}[0m  ${esc}[48;2;31;99;200;38;2;255;255;255mthere${esc}[0m`,
    );
    expect(text.split('\n')[1]).toContain('␛[31m');
    expect(text.split('\n')[1]).toMatch(/m!$/);
    expect(text.includes(`${esc}[31m`)).toBe(false);
  });

  it('scales rows together by default, each on its own with scale "row", or to a given limit', () => {
    const rows = [
      { tokens: ['a'], scores: [1] },
      { tokens: ['a'], scores: [0.5] },
    ];
    const halfRed = `${esc}[48;2;235;147;148;38;2;0;0;0ma`;
    expect(attributionAnsi(rows).split('\n')[3]).toBe(`${halfRed}${esc}[0m`);
    expect(attributionAnsi(rows, { scale: 'row' })).not.toContain(halfRed);
    expect(attributionAnsi(rows, { scale: 2 }).split('\n')[0]).toBe(`${halfRed}${esc}[0m`); // 1 of 2
  });

  it('rejects rows that do not fit together, naming the row', () => {
    expect(() => attributionAnsi([ioi, { tokens: ['a', 'b'], scores: [1] }])).toThrowTdhookError(
      'E_NLP_VIEW',
      /2 tokens but 1 scores.*rows\[1\]/,
    );
    expect(() => attributionAnsi({ tokens: ['a'], scores: [Number.NaN] })).toThrowTdhookError(
      'E_NLP_VIEW',
      /NaN/,
    );
    expect(() =>
      attributionAnsi({
        tokens: ['a', 'b'],
        scores: [1, 2],
        text: 'ab',
        offsets: [
          [0, 1],
          [0, 2],
        ],
      }),
    ).toThrowTdhookError('E_NLP_VIEW', /Offsets 1/);
    expect(() => attributionAnsi(ioi, { scale: 0 })).toThrowTdhookError('E_NLP_VIEW', /> 0/);
  });
});

describe('ansiColorSupport', () => {
  it('follows NO_COLOR, FORCE_COLOR, COLORTERM and whether the stream is a terminal', () => {
    expect(ansiColorSupport({ isTTY: true }, { COLORTERM: 'truecolor' })).toBe('truecolor');
    expect(ansiColorSupport({ isTTY: true }, {})).toBe('256');
    expect(ansiColorSupport({ isTTY: false }, {})).toBe('none');
    expect(ansiColorSupport({ isTTY: true }, { NO_COLOR: '1', COLORTERM: 'truecolor' })).toBe('none');
    expect(ansiColorSupport({}, { FORCE_COLOR: '3' })).toBe('truecolor');
    expect(ansiColorSupport({ isTTY: true }, { FORCE_COLOR: '0' })).toBe('none');
  });
});

describe('attributionHtml', () => {
  const rows: AttributedText[] = [
    ioi,
    { ...ioi, label: 'gradient × input → " Mary"', scores: [0.2, 0.3, -0.6, 0.1, 0.05] },
    { label: 'escaping <b>', tokens: ['<script>', '&amp;', '"q"'], scores: [1, -1, 0.5] },
  ];

  it('is a self-contained document with one row per entry, shaded tokens and hover values', () => {
    const html = attributionHtml(rows, { title: 'When Mary and John went → Mary', scale: 'row' });
    keep('ioi.html', html);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=/);
    expect(html.match(/class="row"/g)).toHaveLength(3);
    expect(html).toContain(
      '<span class="tok" style="background:#d62728;color:#ffffff" title="+0.62 (token 1)" data-score="+0.62 (token 1)"> Mary</span>',
    );
    expect(html).toContain('title="-0.31 (token 3)"');
    expect(html).toContain('<div class="label">gradient × input → &#34; Mary&#34;</div>');
  });

  it('escapes every token and label', () => {
    const html = attributionHtml(rows.slice(2));
    expect(html).toContain('>&#60;script&#62;</span>');
    expect(html).toContain('>&#38;amp;</span>');
    expect(html).toContain('>&#34;q&#34;</span>');
    expect(html).toContain('escaping &#60;b&#62;');
  });

  it('gives a scoped fragment to embed with standalone: false', () => {
    const html = attributionHtml(ioi, { standalone: false });
    expect(html.startsWith('<section class="tdhook-text-attribution"><style>')).toBe(true);
    expect(html.endsWith('</section>')).toBe(true);
  });
});

describe('attentionPatternPng', () => {
  const tokens = ['When', ' Mary', ' and', ' John'];
  // Two heads: head 0 attends to the previous token, head 1 spreads evenly (causal).
  const previous = tokens.map((_, q) =>
    tokens.map((__, k) => (q === 0 ? Number(k === 0) : Number(k === q - 1))),
  );
  const even = tokens.map((_, q) => tokens.map((__, k) => (k <= q ? 1 / (q + 1) : 0)));

  it('draws each head with its cells in the colour map, token labels and a colour bar', async () => {
    const png = await attentionPatternPng([previous, even], tokens, {
      headLabels: ['L0H0 previous token', 'L0H1 even'],
      title: 'layer 0',
      cellPixels: 20,
    });
    keep('attention.png', png);
    const image = decodeImage(png);
    expect(image.width).toBeGreaterThan(2 * 4 * 20);
    // Find head 0's matrix: its (1, 0) cell is 1 (the top colour), its (1, 1) cell 0 (the bottom colour).
    const at = (x: number, y: number): number[] =>
      Array.from(image.data.subarray((y * image.width + x) * 4, (y * image.width + x) * 4 + 3));
    const top = [...colormapColor('viridis', 1)];
    const bottom = [...colormapColor('viridis', 0)];
    let found = false;
    for (let y = 0; y < image.height - 40 && !found; y++) {
      for (let x = 0; x < image.width / 2 - 40 && !found; x++) {
        if (
          at(x, y).join() === top.join() &&
          at(x + 19, y).join() === top.join() &&
          at(x + 20, y).join() === bottom.join() &&
          at(x, y + 20).join() === bottom.join() &&
          at(x + 20, y + 20).join() === top.join()
        ) {
          found = true;
          // The query row 0's cell (0, 0) sits above: also 1.
          expect(at(x, y - 20).join()).toBe(top.join());
        }
      }
    }
    expect(found).toBe(true);
  });

  it('draws only the chosen heads and checks the pattern against the tokens', async () => {
    const one = decodeImage(await attentionPatternPng([previous, even], tokens, { heads: [1] }));
    const two = decodeImage(await attentionPatternPng([previous, even], tokens));
    expect(one.width).toBeLessThan(two.width);
    await expect(attentionPatternPng([previous], ['a', 'b'])).rejects.toThrow(/Head 0 .* not 2×2/);
    await expect(attentionPatternPng([previous], tokens, { heads: [2] })).rejects.toMatchObject({
      code: 'E_NLP_VIEW',
      message: expect.stringMatching(/Head 2 does not exist/) as unknown,
    });
  });

  it('labels tokens visibly in the bitmap font', () => {
    expect(tokenLabel(' Mary')).toBe('·Mary');
    expect(tokenLabel('\n')).toBe('\\n');
    expect(tokenLabel('abcdefghijklmnop', 6)).toBe('abcde…');
  });
});
