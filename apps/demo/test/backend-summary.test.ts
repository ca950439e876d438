// The report header's backend lines from backend reports of other machines: plain words, never a path.
import type { BackendReport } from '@tdhook/backend';
import { describe, expect, it } from 'vitest';

import { backendLine, backendSummary, withoutPaths } from '../src/report/backend-summary.js';

const patch = (id: string, status: BackendReport['patches'][number]['status']) =>
  ({ id, kind: 'fast-kernel', status, selfTestMs: 10 }) as BackendReport['patches'][number];

const auto: BackendReport = {
  backend: 'wasm',
  requested: 'auto',
  reasons: [
    "not tensorflow-gpu: @tensorflow/tfjs-node-gpu could not be loaded (Cannot find package '@tensorflow/tfjs-node-gpu' imported from /home/someone/tdhook/packages/backend/dist/index.js)",
    'not tensorflow: @tensorflow/tfjs-node could not be loaded (libtensorflow.so.2: cannot open shared object file, C:\\tools\\node\\lib)',
  ],
  skipped: [
    {
      backend: 'tensorflow-gpu',
      notInstalled: '@tensorflow/tfjs-node-gpu',
      message:
        "The tensorflow-gpu backend is not available: @tensorflow/tfjs-node-gpu could not be loaded (Cannot find package '@tensorflow/tfjs-node-gpu' imported from /home/someone/tdhook/packages/backend/dist/index.js). Install it …",
    },
    {
      backend: 'tensorflow',
      message:
        'The tensorflow backend is not available: @tensorflow/tfjs-node could not be loaded (libtensorflow.so.2: cannot open shared object file, C:\\tools\\node\\lib). Install it …',
    },
  ],
  gradients: 'registered',
  patches: [patch('wasm/BatchMatMul', 'installed'), patch('wasm/MaxPoolGrad', 'failed-self-test')],
  internals: { tfjsCoreVersion: '4.22.0', backend: 'wasm', checked: ['engine', 'registries', 'recording'] },
};

describe('backendSummary', () => {
  it('says which backend ran, which were skipped and why, and what was patched, without paths', () => {
    const entries = backendSummary(auto, '4.22.0');
    expect(entries).toEqual([
      [
        'Backend',
        'WebAssembly (wasm), picked automatically: the fastest backend available on this machine; TF.js 4.22.0.',
      ],
      [
        'Skipped',
        'native TensorFlow with CUDA (tfjs-node-gpu) not installed; native TensorFlow (tfjs-node) could not start (@tensorflow/tfjs-node could not be loaded). These optional packages are faster; tdhook uses them when they are installed.',
      ],
      [
        'Kernel patches',
        "1 installed, each checked against TF.js's reference cpu kernels at start-up (20 ms in all); they make gradients correct and fast on wasm; 1 failed the check and were left out (wasm/MaxPoolGrad).",
      ],
    ]);
    expect(backendLine(auto, '4.22.0')).toBe(
      'TF.js 4.22.0 on wasm, picked automatically (tfjs-node-gpu not installed; tfjs-node could not start (@tensorflow/tfjs-node could not be loaded)); 1 kernel patches self-tested in 20 ms, 1 REJECTED (wasm/MaxPoolGrad)',
    );
  });

  it('says when the backend was forced, and that the native backend needs no patches', () => {
    const forced: BackendReport = {
      backend: 'tensorflow',
      requested: 'tensorflow',
      reasons: ['forced by TDHOOK_BACKEND=tensorflow'],
      skipped: [],
      gradients: 'already-registered',
      patches: [],
      internals: { tfjsCoreVersion: '4.22.0', backend: 'tensorflow', checked: ['engine', 'registries'] },
    };
    expect(backendSummary(forced, '4.22.0')).toEqual([
      [
        'Backend',
        'native TensorFlow (tfjs-node), as requested (forced by TDHOOK_BACKEND=tensorflow); TF.js 4.22.0.',
      ],
      ['Kernel patches', 'none needed on this backend.'],
    ]);
  });
});

describe('withoutPaths', () => {
  it('replaces POSIX and Windows paths and file URLs, and leaves package names and ratios alone', () => {
    expect(withoutPaths('imported from /home/a/b/index.js)')).toBe('imported from …)');
    expect(withoutPaths('at C:\\Users\\a\\b.js and file:///tmp/x.html')).toBe('at … and …');
    expect(withoutPaths('@tensorflow/tfjs-node, 1/14 of them, conv2d_5/BiasAdd')).toBe(
      '@tensorflow/tfjs-node, 1/14 of them, conv2d_5/BiasAdd',
    );
  });
});
