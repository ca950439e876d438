import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { checkFusedStep } from './checks/gradient-step-checks.js';
import { rawEngine } from './engine-internals.js';
import { TfjsInternalsError } from './errors.js';
import { registerKernelPatch } from './kernel-registry.js';
import { parameterGradientSkips, type ParameterGradientSkips } from './parameter-gradient-skips.js';
import { RecordedPass } from './recorded-pass.js';
import { checkTfjsInternals, forgetTfjsInternalsChecks, requireFusedStep } from './self-check.js';

const backend = inject('tdhookBackend');

/** Sets an own property on `target` for the duration of `run`, then removes it again. */
function stubbing<T>(target: object, key: string, value: unknown, run: () => T): T {
  const own = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { configurable: true, writable: true, value });
  try {
    return run();
  } finally {
    if (own === undefined) Reflect.deleteProperty(target, key);
    else Object.defineProperty(target, key, own);
  }
}

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

afterEach(() => {
  forgetTfjsInternalsChecks();
});

describe('checkTfjsInternals', () => {
  it('holds on the installed tfjs-core, for every fused op this backend can differentiate', () => {
    const report = checkTfjsInternals();
    expect(report.tfjsCoreVersion).toBe(tf.version_core);
    expect(report.backend).toBe(backend);
    // Stock wasm has no conv filter-gradient kernels (@tdhook/backend adds them), so only matMul is checked.
    const fused =
      backend === 'cpu'
        ? ['cpu/fusedConv2d__op', 'cpu/fusedDepthwiseConv2d__op', 'cpu/fusedMatMul__op']
        : ['wasm/fusedMatMul__op'];
    expect([...report.checked].sort()).toEqual(['engine', 'recording', 'registries', ...fused].sort());
  });

  it('runs once: a later call returns at once, even with an assumption broken since', () => {
    checkTfjsInternals();
    const engine = rawEngine();
    stubbing(engine, 'startTape', undefined, () => {
      expect(checkTfjsInternals().checked).toContain('engine');
    });
  });

  it('fails with a typed error naming the tfjs-core version when the engine lacks a tape member', () => {
    const engine = rawEngine();
    const error = stubbing(engine, 'startTape', undefined, () => thrownBy(checkTfjsInternals));
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    const typed = error as TfjsInternalsError;
    expect(typed.code).toBe('E_TFJS_INTERNALS');
    expect(typed.tfjsCoreVersion).toBe(tf.version_core);
    expect(typed.message).toMatch(
      new RegExp(
        `^@tensorflow/tfjs-core ${tf.version_core.replace(/\./g, '\\.')} does not work as tdhook relies on: ` +
          'tf\\.engine\\(\\)\\.startTape is not a function \\(at tfjs-internals self-check, engine\\)\\. ' +
          'tdhook supports @tensorflow/tfjs-core >=4\\.22\\.0 <5',
      ),
    );
    // Not cached: with the member back, the check passes.
    expect(checkTfjsInternals().checked).toContain('engine');
  });

  it('fails before anything is recorded when the tape depth is not a number', () => {
    const { state } = rawEngine();
    const error = stubbing(state, 'gradientDepth', '0', () =>
      thrownBy(() => RecordedPass.record(() => tf.scalar(1))),
    );
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('engine.state.gradientDepth is not a number');
    expect(state.gradientDepth).toBe(0);
  });

  it('fails when registrations no longer go through the global registry Maps', () => {
    const holder = globalThis as unknown as { _tfGlobals: Map<string, unknown> };
    const error = stubbing(holder, '_tfGlobals', new Map(), () => thrownBy(checkTfjsInternals));
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      "the registries are not the Maps 'gradRegistry' and 'kernelRegistry'",
    );
  });

  it("fails when a fused matMul's gradient computes the weight gradient first (proven with a wrong assumption)", () => {
    // Skipping the first BatchMatMul instead of the second is what tdhook would do wrong if tfjs-core
    // computed the weight gradient first: the check must see the input gradient change.
    const wrongOrder: ParameterGradientSkips = {
      ...parameterGradientSkips,
      fusedMatMul__op: (parameterGradientSkips.fusedMatMul__op ?? []).map((skip) =>
        skip.kernelName === 'BatchMatMul' ? { ...skip, calls: 1 } : skip,
      ),
    };
    const error = thrownBy(() => checkFusedStep('fusedMatMul__op', wrongOrder));
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /skipping the weight and bias gradients changed the input gradient.*backward step of fused matMul \(transposeA false, transposeB false\)/,
    );
    expect(checkFusedStep('fusedMatMul__op')).toBe(true);
  });

  it('fails when the step no longer runs a kernel tdhook skips (proven with a wrong assumption)', () => {
    // The bias gradient computed by a kernel the step never runs: the skip never fires.
    const wrongKernel: ParameterGradientSkips = {
      fusedMatMul__op: (parameterGradientSkips.fusedMatMul__op ?? []).map((skip) =>
        skip.kernelName === 'Sum' ? { ...skip, kernelName: 'Cumsum' } : skip,
      ),
    };
    const error = thrownBy(() => checkFusedStep('fusedMatMul__op', wrongKernel));
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'the step never ran the Cumsum kernel the way tdhook skips it',
    );
  });

  it('refuses a kernel that records a pass while the recording check runs it (re-entry), with a typed error', () => {
    // The check records a fused matMul and conv2d with a ReLU, so it runs this backend's Relu kernel.
    const undo = registerKernelPatch({
      kernelName: 'Relu',
      backendName: backend,
      wrap: (stock) => ({
        ...stock,
        kernelFunc: (args) => {
          RecordedPass.record(() => tf.scalar(1)).dispose();
          return stock.kernelFunc(args);
        },
      }),
    });
    forgetTfjsInternalsChecks();
    const error = thrownBy(checkTfjsInternals);
    undo();
    expect(TfjsInternalsError.isInstance(error)).toBe(true);
    expect((error as TfjsInternalsError).code).toBe('E_TFJS_REENTERED');
    expect((error as Error).message).toBe(
      'A kernel or gradient run by the self-check of the recording assumptions called tdhook, which relies on ' +
        'them before they are proven (at tfjs-internals self-check, recording). Run checkTfjsInternals() (or ' +
        'initBackend()) before installing that kernel or gradient patch, or do not call tdhook from inside a kernel.',
    );
    // Not cached, and the engine left as it was: without the patch the check passes.
    expect(checkTfjsInternals().checked).toContain('recording');
  });

  it('counts a fused step as not checked for a kernel its own check runs (re-entry): nothing is skipped there', () => {
    // The stock backward step of a fused matMul with bias runs Sum for the bias gradient.
    const seen: boolean[] = [];
    const undo = registerKernelPatch({
      kernelName: 'Sum',
      backendName: backend,
      wrap: (stock) => ({
        ...stock,
        kernelFunc: (args) => {
          seen.push(requireFusedStep('fusedMatMul__op'));
          return stock.kernelFunc(args);
        },
      }),
    });
    forgetTfjsInternalsChecks();
    const outer = requireFusedStep('fusedMatMul__op');
    undo();
    expect(outer).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((checked) => !checked)).toBe(true);
  });
});
