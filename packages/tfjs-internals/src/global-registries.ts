// tfjs-core keeps its kernel and gradient registries in `_tfGlobals`, a Map on the first of window, global,
// process and self that exists (`getGlobal` in tfjs-core's global_util.ts), so every copy of tfjs-core and
// every bundle of its registry code (tfjs-layers inlines one) writes to the same two Maps. Patches stay on
// top of later registrations by guarding those Maps (registry-pins.ts); the self-check makes sure these are
// the Maps that tf.getKernel and tf.getGradient read.

export type RegistryName = 'kernelRegistry' | 'gradRegistry';

interface GlobalScope {
  window?: unknown;
  global?: unknown;
  process?: unknown;
  self?: unknown;
}

/** The Map tfjs-core registers kernels or gradients in, or undefined if it is not where tfjs-core 4.x puts it. */
export function globalRegistry(name: RegistryName): Map<string, unknown> | undefined {
  const scope = globalThis as GlobalScope;
  const namespace = [scope.window, scope.global, scope.process, scope.self].find(
    (candidate) => candidate !== undefined && candidate !== null,
  ) as { _tfGlobals?: unknown } | undefined;
  const globals = namespace?._tfGlobals;
  if (!(globals instanceof Map)) return undefined;
  const registry: unknown = globals.get(name);
  return registry instanceof Map ? (registry as Map<string, unknown>) : undefined;
}

/** The key tfjs-core files a kernel under in its registry (`makeKey` in kernel_registry.ts). */
export const kernelKey = (kernelName: string, backendName: string): string => `${backendName}_${kernelName}`;
