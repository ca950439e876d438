// The study's table as the paper reports it: rows model × grid, columns AtP and RelP Pearson/Spearman with
// activation patching, and the number of sites.
import type { ModelStudy } from './run-study.js';

const fixed = (value: number): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(3));

/** The table in markdown: all sites, and in brackets the sites where clean and corrupted activations differ. */
export function studyTable(studies: readonly ModelStudy[]): string {
  const lines = [
    '| model | grid (hook) | AtP Pearson | AtP Spearman | RelP Pearson | RelP Spearman | sites (non-trivial) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const study of studies) {
    for (const grid of study.grids) {
      const cell = (all: number, nonTrivial: number): string => `${fixed(all)} (${fixed(nonTrivial)})`;
      lines.push(
        `| ${study.model} | ${grid.grid} (${grid.hook}) | ${cell(grid.atp.pearson, grid.atpNonTrivial.pearson)} | ${cell(grid.atp.spearman, grid.atpNonTrivial.spearman)} | ${cell(grid.relp.pearson, grid.relpNonTrivial.pearson)} | ${cell(grid.relp.spearman, grid.relpNonTrivial.spearman)} | ${grid.sites} (${grid.nonTrivialSites}) |`,
      );
    }
  }
  return lines.join('\n');
}

/** The sites where an estimate misses patching most, per model and grid, with the held-effects diagnosis. */
export function disagreementTable(studies: readonly ModelStudy[]): string {
  const lines = [
    '| model | grid | site | patching | AtP | RelP | patching, LN scales held | patching, LN scales and attention patterns held |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const study of studies) {
    for (const grid of study.grids) {
      for (const site of grid.disagreements) {
        lines.push(
          `| ${study.model} | ${grid.grid} | ${site.label} | ${site.patching.toFixed(2)} | ${site.atp.toFixed(2)} | ${site.relp.toFixed(2)} | ${site.scalesHeld.toFixed(2)} | ${site.scalesAndPatternsHeld.toFixed(2)} |`,
        );
      }
    }
  }
  return lines.join('\n');
}
