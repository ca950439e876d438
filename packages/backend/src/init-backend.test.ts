import * as tf from '@tensorflow/tfjs-core';
import { findKernel, registerKernelPatch } from '@tdhook/tfjs-internals';
import { afterEach, describe, expect, inject, it } from 'vitest';

import { loadBackend, type BackendName } from './backend-loaders.js';
import { BackendUnavailableError } from './backend-unavailable-error.js';
import { formatBackendReport, initBackend } from './init-backend.js';
import { installedPatchIds, installPatches, restorePatches } from './patches/install-patches.js';
import type { KernelPatch } from './patches/kernel-patch.js';

const projectBackend = inject('tdhookBackend');

afterEach(async () => {
  restorePatches();
  delete process.env.TDHOOK_BACKEND;
  await tf.setBackend(projectBackend);
});

describe('initBackend', () => {
  it('picks wasm here when nothing faster is installed, and says why it passed over the native backends', async () => {
    const report = await initBackend({ patches: false });
    expect(report.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(report.requested).toBe('auto');
    expect(report.reasons[0]).toMatch(/^not tensorflow-gpu: @tensorflow\/tfjs-node-gpu could not be loaded/);
    expect(report.reasons[1]).toMatch(/^not tensorflow: @tensorflow\/tfjs-node could not be loaded/);
    // The same as data: neither native package is installed on this machine.
    expect(report.skipped.map(({ backend, notInstalled }) => [backend, notInstalled])).toEqual([
      ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
      ['tensorflow', '@tensorflow/tfjs-node'],
    ]);
    expect(report.gradients).toBe('already-registered'); // the test setup registered them
    expect(formatBackendReport(report)).toContain('backend wasm (requested: auto)');
  });

  it('takes the backend from the option, else from TDHOOK_BACKEND', async () => {
    expect((await initBackend({ backend: 'cpu', patches: false })).backend).toBe('cpu');
    process.env.TDHOOK_BACKEND = 'wasm';
    const report = await initBackend({ patches: false });
    expect(report.backend).toBe('wasm');
    expect(report.reasons).toEqual(['forced by TDHOOK_BACKEND=wasm']);
    process.env.TDHOOK_BACKEND = 'webgl';
    await expect(initBackend()).rejects.toThrow(
      'TDHOOK_BACKEND=webgl is not a backend tdhook knows (WebGL is a browser backend, which initBackend does not ' +
        'load). Use one of: auto, tensorflow-gpu, tensorflow, wasm, cpu, webgpu.',
    );
  });

  it('refuses a backend it does not know before changing anything, as plain JavaScript can ask for one', async () => {
    const before = tf.getBackend();
    const webgl = initBackend({ backend: 'webgl' as BackendName });
    await expect(webgl).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(initBackend({ backend: 'webgl' as BackendName })).rejects.toThrow(
      "initBackend({ backend: 'webgl' }) is not a backend tdhook knows (WebGL is a browser backend, which " +
        'initBackend does not load). Use one of: auto, tensorflow-gpu, tensorflow, wasm, cpu, webgpu.',
    );
    await expect(initBackend({ backend: 'WASM' as BackendName })).rejects.toThrow(
      "initBackend({ backend: 'WASM' }) is not a backend tdhook knows. Use one of: auto,",
    );
    await expect(initBackend({ backend: 2 as unknown as BackendName })).rejects.toThrow(
      'initBackend({ backend: number }) is not a backend tdhook knows.',
    );
    await expect(loadBackend('auto' as BackendName)).rejects.toThrow(
      "loadBackend('auto') is not a backend tdhook knows. Use one of: tensorflow-gpu, tensorflow, wasm, cpu, webgpu.",
    );
    const error = await initBackend({ backend: 'webgl' as BackendName }).catch((caught: unknown) => caught);
    expect((error as BackendUnavailableError).code).toBe('E_BACKEND_UNAVAILABLE');
    expect((error as BackendUnavailableError).backend).toBe('webgl');
    expect(tf.getBackend()).toBe(before);
    expect(installedPatchIds()).toEqual([]);
  });

  it('explains how to install a native or WebGPU backend that is not there, and changes nothing', async () => {
    const before = tf.getBackend();
    const gpu = loadBackend('tensorflow-gpu');
    await expect(gpu).rejects.toBeInstanceOf(BackendUnavailableError);
    await expect(loadBackend('tensorflow-gpu')).rejects.toThrow(
      /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0.*needs internet access.*CUDA 11\.2 and cuDNN 8\.1/,
    );
    await expect(loadBackend('tensorflow')).rejects.toThrow(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
    await expect(loadBackend('webgpu')).rejects.toThrow(
      /It is opt-in: install `webgpu` \(dawn\.node\) and `@tensorflow\/tfjs-backend-webgpu@4\.22\.0`/,
    );
    const error = await loadBackend('tensorflow').catch((caught: unknown) => caught);
    expect((error as BackendUnavailableError).code).toBe('E_BACKEND_UNAVAILABLE');
    expect((error as Record<symbol, unknown>)[Symbol.for('tdhook.error')]).toBe(true);
    expect(tf.getBackend()).toBe(before);
  });
});

describe('initBackend checks tfjs-core internals', () => {
  it('at start-up, with the patches in place, and reports what it checked', async () => {
    const report = await initBackend({ backend: projectBackend });
    // With the patches, both backends have the conv filter-gradient kernels: every fused step is checked.
    expect(report.internals).toEqual({
      tfjsCoreVersion: tf.version_core,
      backend: projectBackend,
      checked: expect.any(Array) as unknown,
    });
    expect([...report.internals.checked].sort()).toEqual(
      [
        'engine',
        'recording',
        'registries',
        `${projectBackend}/fusedConv2d__op`,
        `${projectBackend}/fusedDepthwiseConv2d__op`,
        `${projectBackend}/fusedMatMul__op`,
      ].sort(),
    );
    expect(formatBackendReport(report).split('\n')).toContain(
      `  tfjs-core internals checked: ${report.internals.checked.join(', ')}`,
    );
  });
});

describe('installPatches', () => {
  // A patch that doubles Neg's output on the active backend: wrong on purpose, so its self-test must catch it.
  const wrongNeg = (backend: 'wasm' | 'cpu'): KernelPatch => ({
    id: `${backend}/Neg-doubled`,
    backends: [backend],
    kind: 'fast-kernel',
    summary: 'a deliberately wrong Neg',
    install: (name) => {
      const add = findKernel('Add', name);
      return registerKernelPatch({
        kernelName: 'Neg',
        backendName: name,
        wrap: (original) => ({
          ...original,
          kernelFunc: (args) => {
            const negated = original.kernelFunc(args) as tf.TensorInfo;
            const doubled = add?.kernelFunc({ ...args, inputs: { a: negated, b: negated } }) as tf.TensorInfo;
            (args.backend as unknown as { disposeData(id: tf.DataId): void }).disposeData(negated.dataId);
            return doubled;
          },
        }),
      });
    },
    selfTest: { run: () => tf.neg(tf.tensor1d([1, -2, 3])), expected: [[-1, 2, -3]] },
  });

  it('self-tests each patch and takes out one that computes wrong numbers', async () => {
    const backend = projectBackend;
    const original = findKernel('Neg', backend);
    const [report] = await installPatches(backend, [wrongNeg(backend)]);
    expect(report).toMatchObject({
      id: `${backend}/Neg-doubled`,
      status: 'failed-self-test',
      selfTestError: 3,
    });
    expect(findKernel('Neg', backend)).toBe(original);
    const y = tf.tidy(() => tf.neg(tf.tensor1d([1])));
    expect(Array.from(y.dataSync())).toEqual([-1]);
    y.dispose();
    expect(installedPatchIds()).toEqual([]);
  });

  it('skips disabled patches, installs once, and restores on request', async () => {
    const backend = projectBackend;
    const harmless: KernelPatch = {
      ...wrongNeg(backend),
      id: `${backend}/Neg-harmless`,
      selfTest: { run: () => tf.scalar(1), expected: [[1]] },
    };
    expect((await installPatches(backend, [harmless], { disable: [harmless.id] }))[0]?.status).toBe(
      'disabled',
    );
    expect((await installPatches(backend, [harmless]))[0]?.status).toBe('installed');
    expect((await installPatches(backend, [harmless]))[0]?.status).toBe('already-installed');
    expect(installedPatchIds()).toEqual([`${backend}:${backend}/Neg-harmless`]);
    expect(restorePatches()).toBe(1);
    const y = tf.tidy(() => tf.neg(tf.tensor1d([2])));
    expect(Array.from(y.dataSync())).toEqual([-2]);
    y.dispose();
  });
});
