// The members of tfjs-core 4.x's engine that tdhook relies on, typed as they are at runtime. Nothing here
// checks them: self-check.ts does, once, before the checked accessors (engine-tape.ts) hand them out.
import * as tf from '@tensorflow/tfjs-core';

/**
 * One kernel run recorded on the gradient tape (tfjs-core's `TapeNode`): its named inputs, its outputs, the
 * tensors its gradient needs (`saved`) and the gradient itself, once per output.
 *
 * @example
 * const node: TapeNode = pass.nodes[0];
 * const inputGradients = node.gradient?.([dy]); // { x: () => tensor, ... }
 */
export interface TapeNode {
  readonly id: number;
  readonly kernelName: string;
  readonly inputs: Readonly<Record<string, tf.Tensor>>;
  readonly outputs: readonly tf.Tensor[];
  readonly gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
  readonly saved?: readonly tf.Tensor[];
}

/** The engine state tdhook reads and writes. */
export interface EngineState {
  activeTape: TapeNode[] | null;
  /** Nested gradient computations; the tape records while it is above 0 and `kernelDepth` is 0. */
  gradientDepth: number;
  /** Nested kernel calls; the tape is off inside a kernel. */
  kernelDepth: number;
}

/**
 * A registered backend factory, as `tf.registerBackend` stored it.
 *
 * @example
 * const { factory, priority }: BackendRegistration = backendRegistration('wasm') ?? fail();
 */
export interface BackendRegistration {
  readonly factory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  readonly priority: number;
}

export interface EngineInternals {
  readonly state: EngineState;
  startTape(): void;
  endTape(): void;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  runKernel(kernelName: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): tf.Tensor | tf.Tensor[];
  readonly registryFactory: Readonly<Record<string, BackendRegistration | undefined>>;
  readonly registry: Readonly<Record<string, tf.KernelBackend | undefined>>;
  readonly backendName: string | null;
}

/** `tf.engine()` with its internal members, unchecked. */
export function rawEngine(): EngineInternals {
  return tf.engine() as unknown as EngineInternals;
}

/** Disposes what the kernels of `nodes` saved for their gradients. */
export function releaseSaved(nodes: readonly TapeNode[]): void {
  for (const node of nodes) for (const tensor of node.saved ?? []) tensor.dispose();
}

/**
 * Runs `run` as if no gradient computation enclosed it: a gradient computed inside gets a tape of its own
 * instead of replacing (and then discarding) the enclosing one. The enclosing tape and depth are put back
 * afterwards; a tape that `run` abandoned by throwing is released.
 */
export function onIsolatedTape<T>(engine: EngineInternals, run: () => T): T {
  const { state } = engine;
  const { activeTape, gradientDepth } = state;
  state.gradientDepth = 0;
  state.activeTape = null;
  try {
    return run();
  } finally {
    // Read anew (not through `state`, which the type checker still believes null): `run` may have left one.
    const abandoned = engine.state.activeTape;
    if (abandoned !== null) releaseSaved(abandoned);
    state.activeTape = activeTape;
    state.gradientDepth = gradientDepth;
  }
}

/** What {@link recordOnTape} recorded. */
export interface Recording<T> {
  readonly value: T;
  /** The nodes recorded during the forward, in tape order. */
  readonly nodes: TapeNode[];
  /** True when no gradient computation enclosed the recording: the caller owns the nodes' saved tensors. */
  readonly ownsTape: boolean;
}

/**
 * Records `forward` on the tape: opens it (a fresh one when none is active), runs `forward` inside
 * `tf.tidy`, closes it, and returns the result with the nodes recorded during `forward`. Without an enclosing
 * gradient computation the tape is detached from the engine and its nodes are the caller's; otherwise the
 * enclosing computation keeps owning them. If `forward` throws, what it recorded is released.
 */
export function recordOnTape<T extends tf.TensorContainer>(
  engine: EngineInternals,
  forward: () => T,
): Recording<T> {
  const { state } = engine;
  const ownsTape = state.gradientDepth === 0;
  const start = ownsTape ? 0 : (state.activeTape?.length ?? 0);
  engine.startTape();
  let value: T;
  try {
    value = tf.tidy(forward);
  } catch (error) {
    engine.endTape();
    if (ownsTape) {
      releaseSaved(state.activeTape ?? []);
      state.activeTape = null;
    }
    throw error;
  }
  engine.endTape();
  const nodes = state.activeTape?.slice(start) ?? [];
  if (ownsTape) state.activeTape = null;
  return { value, nodes, ownsTape };
}
