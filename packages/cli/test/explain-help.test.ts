// tdhook explain --help reads explainImages' defaults from @tdhook/adapter-cv's explainDefaults: with other
// defaults there, the help says those.
import { describe, expect, it, vi } from 'vitest';
import type * as adapterCv from '@tdhook/adapter-cv';
import { lrpComposites } from '@tdhook/attribution';

vi.mock('@tdhook/adapter-cv', async (importOriginal) => ({
  ...(await importOriginal<typeof adapterCv>()),
  explainDefaults: Object.freeze({
    target: 'argmax',
    baseline: 0.25,
    noise: 0.3,
    seed: 7,
    composite: 'zPlus',
    normalisation: 'symmetric',
    fit: 'cover',
  }),
}));

const { explainHelp } = await import('../src/help.js');

describe('tdhook explain --help', () => {
  it('shows the defaults explainDefaults holds, written nowhere else', () => {
    const help = explainHelp();
    expect(help).toMatch(/--baseline <value> +ig: baseline value, in model input units \(default 0\.25\)/);
    const others = Object.keys(lrpComposites).filter((name) => name !== 'zPlus');
    expect(others).toContain('epsilonPlus');
    expect(help).toMatch(
      new RegExp(`--composite <name> +lrp: zPlus \\(default\\), or one of\\s+${others.join(', ')}\n`),
    );
    expect(help).toMatch(/--normalise <name>[^]*\(default: from the model's metadata, else symmetric\)/);
    expect(help).toMatch(/--fit <mode>[^]*\(default: from the model's metadata, else cover\)/);
    expect(help).toMatch(/--target <t>[^]*\(default argmax\)/);
  });
});
