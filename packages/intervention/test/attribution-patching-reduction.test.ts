// The site reduction of attributionPatching: its masks are siteMask's, written out in plain numbers, and the
// reduced product summed under them equals a masked sum over the full product, site by site.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type {} from '@tdhook/testing/vitest';

import { headPositionSites, siteGrid, siteMask, type PatchSite } from '../src/index.js';
import {
  groupSitesByPath,
  planPathReduction,
  reducePath,
} from '../src/attribution-patching/site-reduction.js';

const custom: PatchSite[] = [
  { path: 'x', units: [{ axis: -1, index: -1 }], label: 'last feature' },
  {
    path: 'x',
    units: [
      { axis: 1, index: 2 },
      { axis: -2, index: 0 },
    ],
    label: 'pos 2, head 0',
  },
  { path: 'x', units: [], label: 'everything' },
];

describe('site reduction', () => {
  for (const [name, sites, shape] of [
    [
      'head × position grid',
      headPositionSites({ nLayers: 1, nHeads: 3 }, { positions: 5 }).sites,
      [2, 5, 3, 4],
    ],
    ['negative axes and indices, no units', custom, [2, 3, 2, 4]],
  ] as const) {
    it(`${name}: every mask column is siteMask's, and Σ under it equals the masked full sum`, () => {
      const [group] = groupSitesByPath(sites);
      const plan = planPathReduction(group as ReturnType<typeof groupSitesByPath>[number], shape);
      const product = tf.randomNormal([...shape], 0, 1, 'float32', 5);
      const perSite = tf.tidy(() => reducePath(plan, product));
      sites.forEach((site, column) => {
        const mask = siteMask(site, shape);
        const wanted = tf.tidy(() => tf.sum(tf.mul(product, tf.cast(mask, 'float32')), [1, 2, 3]));
        const got = tf.tidy(() => tf.reshape(tf.slice(perSite, [0, column], [-1, 1]), [-1]));
        expect(got, site.label).toBeCloseToTensor(wanted, { atol: 1e-5, rtol: 1e-6 });
        const reducedShape = shape.map((size, axis) => (plan.summed.includes(axis) ? 1 : size));
        const reducedMask = siteMask(site, reducedShape);
        const columnMask = tf.tidy(() => tf.reshape(tf.slice(plan.masks, [0, column], [-1, 1]), [-1]));
        const flatMask = tf.tidy(() => tf.reshape(tf.cast(reducedMask, 'float32'), [-1]));
        expect(columnMask, site.label).toBeCloseToTensor(flatMask, { atol: 0, rtol: 0 });
        tf.dispose([mask, wanted, got, reducedMask, columnMask, flatMask]);
      });
      tf.dispose([product, perSite, plan.masks]);
    });
  }

  it('a unit outside the value is siteMask’s error, naming the site', () => {
    const grid = siteGrid({
      axes: [{ name: 'site', labels: ['a'] }],
      sites: [{ path: 'x', units: [{ axis: 3, index: 0 }], label: 'too deep' }],
    });
    const [group] = groupSitesByPath(grid.sites);
    expect(() =>
      planPathReduction(group as ReturnType<typeof groupSitesByPath>[number], [2, 3]),
    ).toThrowTdhookError('E_INVALID_VALUE', /Site 'too deep' names axis 3/);
  });
});
