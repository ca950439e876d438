import * as tf from '@tensorflow/tfjs-core';

import { globalRegistry, kernelKey } from '../global-registries.js';
import { readGradient, readKernel } from '../registry-entries.js';
import { assume } from './broken-assumption.js';

const where = 'kernel and gradient registries';
const probe = 'TdhookInternalsProbe';
const probeBackend = 'tdhook-internals-probe';

/** Calls `run` while counting the calls of `method` on `map` (an own property, as the registry guard is). */
function observing(map: Map<string, unknown>, method: 'set' | 'delete', run: () => void): number {
  const own = Object.getOwnPropertyDescriptor(map, method);
  const original = Reflect.get(map, method) as (...args: unknown[]) => unknown;
  let calls = 0;
  Object.defineProperty(map, method, {
    configurable: true,
    writable: true,
    value(this: Map<string, unknown>, ...args: unknown[]): unknown {
      calls += 1;
      return original.apply(this, args);
    },
  });
  try {
    run();
  } finally {
    if (own === undefined) Reflect.deleteProperty(map, method);
    else Object.defineProperty(map, method, own);
  }
  return calls;
}

/**
 * The registry functions exist; the lookups return undefined for unknown names; and the registries are the
 * Maps on the global object that registrations write through `set` and `delete` (the pins guard those).
 */
export function checkRegistries(): boolean {
  const functions = tf as unknown as Record<string, unknown>;
  for (const name of [
    'getKernel',
    'getGradient',
    'getKernelsForBackend',
    'registerKernel',
    'unregisterKernel',
    'registerGradient',
    'unregisterGradient',
  ]) {
    assume(typeof functions[name] === 'function', where, `tf.${name} is not a function`);
  }
  assume(
    readGradient(probe) === undefined,
    where,
    'tf.getGradient(name) is not undefined for an unknown kernel',
  );
  assume(
    readKernel(probe, probeBackend) === undefined,
    where,
    'tf.getKernel is not undefined for an unknown kernel',
  );
  const gradients = globalRegistry('gradRegistry');
  const kernels = globalRegistry('kernelRegistry');
  assume(
    gradients !== undefined && kernels !== undefined,
    where,
    "the registries are not the Maps 'gradRegistry' and 'kernelRegistry' of `_tfGlobals` on the global object",
  );

  const gradient: tf.GradConfig = { kernelName: probe, gradFunc: () => ({}) };
  const setCalls = observing(gradients, 'set', () => {
    tf.registerGradient(gradient);
  });
  const registered = gradients.get(probe) === gradient && readGradient(probe) === gradient;
  const deleteCalls = observing(gradients, 'delete', () => {
    if (readGradient(probe) !== undefined) tf.unregisterGradient(probe);
  });
  assume(
    registered && setCalls === 1,
    where,
    "tf.registerGradient does not write the global 'gradRegistry' Map",
  );
  assume(deleteCalls === 1 && !gradients.has(probe), where, 'tf.unregisterGradient does not delete from it');

  const kernel: tf.KernelConfig = {
    kernelName: probe,
    backendName: probeBackend,
    kernelFunc: () => ({ dataId: {}, shape: [], dtype: 'float32' }),
  };
  const kernelSets = observing(kernels, 'set', () => {
    tf.registerKernel(kernel);
  });
  const found =
    kernels.get(kernelKey(probe, probeBackend)) === kernel &&
    readKernel(probe, probeBackend) === kernel &&
    tf.getKernelsForBackend(probeBackend).includes(kernel);
  const kernelDeletes = observing(kernels, 'delete', () => {
    if (readKernel(probe, probeBackend) !== undefined) tf.unregisterKernel(probe, probeBackend);
  });
  assume(
    found && kernelSets === 1,
    where,
    "tf.registerKernel does not write the global 'kernelRegistry' Map under 'backend_kernel' keys",
  );
  assume(
    kernelDeletes === 1 && !kernels.has(kernelKey(probe, probeBackend)),
    where,
    'tf.unregisterKernel does not delete from it',
  );
  return true;
}
