import { ContextError, InvalidValueError, PlanError } from '../errors.js';
import { runStoppable, type StoppableResult } from '../hooks/early-stop.js';
import { withGradientCleanup } from '../hooks/gradient-cleanup.js';
import { HookHandle } from '../hooks/hook-handle.js';
import type { HookByDirection } from '../hooks/hook-types.js';
import { registerHook, stopAfter as installStop } from '../hooks/register-hook.js';
import { describeStructure } from '../hooks/tensor-leaves.js';
import { isTensor } from '../value-guards.js';
import { isModelNode, type ModelNode } from '../modules/model-node.js';
import { Captured } from './captured.js';
import { captureParameter, replaceParameter } from './parameter-operations.js';
import type { ReplacementValue } from './selection.js';
import type { SessionOperation } from './session-operation.js';
import { normalizeTarget, type Target, type TargetJSON } from './target.js';
import {
  activationCaptureHook,
  activationReplaceHook,
  gradientCaptureHook,
  gradientReplaceHook,
} from './target-hooks.js';
import { validateTarget } from './validate-target.js';

function checkReplacement(value: unknown): asserts value is ReplacementValue {
  if (typeof value === 'number' || typeof value === 'function') return;
  if (isTensor(value) && !value.isDisposed) return;
  throw new InvalidValueError({
    what: `A replacement must be a tensor, a number or a function, got ${isTensor(value) ? 'a disposed tensor' : describeStructure(value)}`,
    where: 'HookSession.replace',
    fix: 'Pass e.g. 0, tf.zeros([1]) (kept alive until the session closes) or (selection) => tf.mul(selection, 2).',
  });
}

const stopsGradients = 'A forward pass that stops early never computes gradients';

/**
 * The interactive way to look inside a model and change it, as in nnsight: capture or replace the units a
 * {@link Target} selects (activations, gradients, parameters), stop the forward pass after a module, run the
 * model, then close. Works on plain {@link Module}s and TF.js Layers models.
 *
 * Everything installed is undone by {@link HookSession.close} (or `using`), in reverse order: hooks are
 * removed and replaced parameter units are written back, also after an exception. Captured values outlive
 * the session and are then the caller's to dispose (see {@link Captured}).
 *
 * @example
 * using session = new HookSession(model);
 * const unit = session.capture({ path: 'fc1', indices: [2] });
 * session.replace({ path: 'fc1', indices: [2] }, 100);
 * const { value: logits } = session.run(() => tf.tidy(() => model.call(x)));
 * unit.value; // fc1's unit 2 before it was replaced, [batch, 1]
 */
export class HookSession {
  #model: ModelNode | undefined;
  readonly #program: SessionOperation[] = [];
  readonly #cleanups: (() => void)[] = [];

  constructor(model: ModelNode) {
    if (!isModelNode(model)) {
      throw new InvalidValueError({
        what: `A HookSession needs a model, got ${describeStructure(model)}`,
        where: 'new HookSession(model)',
        fix: 'Pass a tdhook Module or a TF.js Layers layer or model.',
      });
    }
    this.#model = model;
  }

  /** True once {@link HookSession.close} ran. */
  get closed(): boolean {
    return this.#model === undefined;
  }

  /**
   * What was installed, in order: model-free and JSON-serialisable. Grows while the session is open and
   * stays as it was when it closed. A failed operation adds nothing.
   *
   * @example
   * JSON.stringify(session.program);
   */
  get program(): readonly SessionOperation[] {
    return Object.freeze([...this.#program]);
  }

  /**
   * Captures the target's units on every run (activation: after its module's forward; gradient: during
   * backpropagation, the gradient w.r.t. the module's output), or right away for a parameter. Hooks run in
   * the order operations were added, so a capture added before a replace at the same module sees the
   * original value.
   *
   * @example
   * const fc2Gradient = session.capture({ path: 'fc2', kind: 'gradient', indices: [0, 5] });
   */
  capture(target: Target | string): Captured {
    const model = this.#open('capture');
    const normalized = this.#check(model, target);
    const { captured, store } = Captured.create(normalized);
    if (normalized.kind === 'parameter') {
      store(captureParameter(model, normalized));
      this.#record(normalized, 'capture', null);
    } else if (normalized.kind === 'activation') {
      this.#hook(model, normalized, 'capture', 'forward', activationCaptureHook(normalized, store));
    } else {
      this.#hook(model, normalized, 'capture', 'backward-pre', gradientCaptureHook(normalized, store));
    }
    return captured;
  }

  /**
   * Replaces the target's units with `value` (a tensor broadcastable to the selection, a number, or a
   * function of the selection): in the module's output on every run, in the gradient w.r.t. it during
   * backpropagation, or in the parameter right away (written back at close). Everything but the selected
   * units is kept. A tensor `value` stays the caller's and must stay alive until the session closes.
   *
   * @example
   * session.replace({ path: 'fc1', indices: [2] }, 100);
   * session.replace({ path: 'fc2', kind: 'gradient' }, 0);
   * session.replace({ path: 'fc1', kind: 'parameter', parameter: 'bias' }, (bias) => tf.mul(bias, 0.5));
   */
  replace(target: Target | string, value: ReplacementValue): void {
    const model = this.#open('replace');
    const normalized = this.#check(model, target);
    checkReplacement(value);
    if (normalized.kind === 'parameter') {
      // Records nothing if the assignment fails: the parameter is left as it was.
      const restore = replaceParameter(model, normalized, value);
      this.#cleanups.push(restore);
      this.#record(normalized, 'replace', null);
    } else if (normalized.kind === 'activation') {
      this.#hook(model, normalized, 'replace', 'forward', activationReplaceHook(normalized, value));
    } else {
      this.#hook(model, normalized, 'replace', 'backward-pre', gradientReplaceHook(normalized, value));
    }
  }

  /**
   * Ends every forward pass right after the module at `path` (and the hooks added there before this one);
   * {@link HookSession.run} then reports `{ stopped: true, path }`. Cannot be combined with gradient targets,
   * which a stopped pass never reaches.
   *
   * @example
   * session.stopAfter('fc1');
   * session.run(() => tf.tidy(() => model.call(x))); // { stopped: true, path: 'fc1' }
   */
  stopAfter(path: string): void {
    const model = this.#open('stopAfter');
    if (typeof path !== 'string') {
      throw new InvalidValueError({
        what: `stopAfter takes a module path string, got ${describeStructure(path)}`,
        where: 'HookSession.stopAfter',
        fix: "Pass a path such as 'fc1'.",
      });
    }
    if (this.#program.some((entry) => entry.direction === 'backward-pre')) {
      throw new PlanError({
        what: `${stopsGradients}, and this session has gradient operations`,
        where: `HookSession.stopAfter('${path}')`,
        fix: 'Use a separate session for the gradient operations.',
      });
    }
    const handle = installStop(model, path);
    this.#cleanups.push(() => {
      handle.remove();
    });
    this.#program.push(Object.freeze({ path, direction: 'forward', operation: 'stop' }));
  }

  /**
   * Runs `fn`, which calls the model (inside `tf.tidy`, `tf.grad`, …), and returns its value, or where the
   * pass stopped if {@link HookSession.stopAfter} ended it. A failing gradient computation does not leave
   * tfjs's gradient tape behind. Errors propagate (a hook that threw surfaces as a `HookError`); the hooks
   * stay until the session closes. `fn` must be synchronous.
   *
   * @example
   * const result = session.run(() => tf.grad((input: tf.Tensor) => tf.sum(model.call(input)))(x));
   * if (!result.stopped) result.value.dispose();
   */
  run<T>(fn: () => T): StoppableResult<T> {
    this.#open('run');
    if (typeof fn !== 'function') {
      throw new InvalidValueError({
        what: `run takes a function, got ${describeStructure(fn)}`,
        where: 'HookSession.run',
        fix: 'Pass e.g. () => tf.tidy(() => model.call(x)).',
      });
    }
    return runStoppable(() => withGradientCleanup(fn));
  }

  /**
   * Undoes everything in reverse order: removes the hooks and writes replaced parameter units back (into the
   * live parameter). Captured values stay and are now the caller's. Safe to call more than once; later
   * operations throw a `ContextError`. If an undo step fails, the others still run and the first error is
   * thrown.
   *
   * @example
   * session.close();
   */
  close(): void {
    if (this.#model === undefined) return;
    this.#model = undefined;
    new HookHandle(this.#cleanups.splice(0)).remove();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #open(operation: string): ModelNode {
    if (this.#model !== undefined) return this.#model;
    throw new ContextError({
      what: 'This session is closed',
      where: `HookSession.${operation}`,
      fix: 'Open a new session with openSession(model); a closed one keeps only its captured values and program.',
    });
  }

  #check(model: ModelNode, target: Target | string): TargetJSON {
    const normalized = normalizeTarget(target);
    validateTarget(model, normalized);
    const stop = this.#program.find((entry) => entry.operation === 'stop');
    if (normalized.kind === 'gradient' && stop !== undefined) {
      throw new PlanError({
        what: `${stopsGradients}, and this session stops after '${stop.path}'`,
        where: `gradient target '${normalized.path}'`,
        fix: 'Use a separate session for the gradient operations.',
      });
    }
    return normalized;
  }

  #hook<D extends 'forward' | 'backward-pre'>(
    model: ModelNode,
    target: TargetJSON,
    operation: 'capture' | 'replace',
    direction: D,
    hook: HookByDirection[D],
  ): void {
    const handle = registerHook(model, target.path, direction, hook);
    this.#cleanups.push(() => {
      handle.remove();
    });
    this.#record(target, operation, direction);
  }

  #record(
    target: TargetJSON,
    operation: 'capture' | 'replace',
    direction: SessionOperation['direction'],
  ): void {
    this.#program.push(Object.freeze({ path: target.path, direction, operation, target }));
  }
}

/**
 * Opens a {@link HookSession} on a model; the same as `new HookSession(model)`.
 *
 * @example
 * using session = openSession(model);
 * const fc1 = session.capture('fc1');
 */
export function openSession(model: ModelNode): HookSession {
  return new HookSession(model);
}
