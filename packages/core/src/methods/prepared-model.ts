import { ContextError, ContractError, TdhookError } from '../errors.js';
import { HookHandle } from '../hooks/hook-handle.js';
import { registerHook } from '../hooks/register-hook.js';
import type { HookByDirection, HookDirection } from '../hooks/hook-types.js';
import type { TensorDict } from '../tensordict/tensor-dict.js';
import { attachHookGate, gateHook } from './hook-gate.js';
import { sameHookSpec, type HookSpec } from './hook-spec.js';
import type { KeyedModel } from './keyed-model.js';
import type { BindContext, MethodPlan, MethodRunner } from './method-definition.js';

/**
 * What {@link PreparedModel} needs from the method that made it.
 *
 * @example
 * const source: PreparedModelSource = {
 *   id: 'acme/activation-norms', plan, bind: (context) => definition.bind(options, context), released: () => {},
 * };
 * using prepared = new PreparedModel(new KeyedModel(model), source);
 */
export interface PreparedModelSource {
  readonly id: string;
  readonly plan: MethodPlan;
  bind(context: BindContext): MethodRunner;
  /** Called once the prepared model is restored, so the method can be prepared on this model again. */
  released(): void;
}

/**
 * A model prepared by a method: its hooks are installed and `run(data)` applies the method. The hooks live
 * until {@link PreparedModel.restore} (or the end of a `using` block); the model is then exactly as before.
 * An error during `run` restores the model at once and rethrows; the prepared model cannot run again.
 *
 * @example
 * using prepared = activationNorms({ paths: ['fc1'] }).prepare(model);
 * using result = prepared.run(data);
 */
export class PreparedModel {
  readonly id: string;
  readonly model: KeyedModel;
  readonly #program: HookSpec[] = [];
  readonly #undo: (() => void)[] = [];
  readonly #source: PreparedModelSource;
  #runner: MethodRunner | undefined;
  #restoredBecause: string | undefined;

  constructor(model: KeyedModel, source: PreparedModelSource) {
    this.id = source.id;
    this.model = model;
    this.#source = source;
    // Open unless a prepared workflow closes it between its executions (hook-gate.ts).
    const gate = attachHookGate(this);
    const pending = [...source.plan.hooks];
    const claim = (spec: HookSpec): void => {
      const index = pending.findIndex((planned) => sameHookSpec(planned, spec));
      if (index < 0) {
        throw new ContractError({
          what: `Method '${source.id}' installed ${JSON.stringify(spec)}, which its plan does not declare`,
          where: 'bind',
          fix: 'Declare every hook and state change in plan(); plans are what compositions and descriptions check.',
        });
      }
      pending.splice(index, 1);
    };
    const context: BindContext = {
      model,
      hook: <D extends HookDirection>(
        spec: HookSpec & { readonly direction: D },
        hook: HookByDirection[D],
      ): void => {
        this.#assertBinding();
        claim(spec);
        // A non-function is left to registerHook, which says what is wrong with it.
        const handle = registerHook(
          model.model,
          spec.path,
          spec.direction,
          typeof hook === 'function' ? gateHook<D>(gate, hook) : hook,
          spec.prepend === undefined ? {} : { prepend: spec.prepend },
        );
        this.#undo.push(() => {
          handle.remove();
        });
        this.#program.push(spec);
      },
      record: (spec, undo) => {
        this.#assertBinding();
        if (typeof undo !== 'function') {
          throw new ContractError({
            what: `Method '${source.id}' recorded ${JSON.stringify(spec)} without an undo function`,
            where: 'bind (context.record)',
            fix: 'Pass the function that reverts the change: context.record(spec, () => { … }).',
          });
        }
        claim(spec);
        this.#undo.push(undo);
        this.#program.push(spec);
      },
      onRestore: (release) => {
        this.#assertBinding();
        if (typeof release !== 'function') {
          throw new ContractError({
            what: `Method '${source.id}' called onRestore without a function`,
            where: 'bind (context.onRestore)',
            fix: 'Pass the function that frees what the method holds: context.onRestore(() => { … }).',
          });
        }
        this.#undo.push(release);
      },
    };
    try {
      const runner = source.bind(context);
      if (pending.length > 0) {
        throw new ContractError({
          what: `Method '${source.id}' planned ${pending.length} change(s) it did not install: ${JSON.stringify(pending)}`,
          where: 'bind',
          fix: 'Install every planned hook in bind(), or leave it out of the plan.',
        });
      }
      const collects = typeof runner.collect === 'function';
      if (collects !== (source.plan.collects === true)) {
        throw new ContractError({
          what: `Method '${source.id}' ${collects ? 'returned a runner with collect() but its plan does not declare collects: true' : 'declares collects: true but its runner has no collect()'}`,
          where: 'bind',
          fix: 'Declare collects: true in plan() exactly when bind() returns a runner with collect() (captureRunner).',
        });
      }
      this.#runner = runner;
    } catch (error) {
      this.#restoreAfter(error, 'its preparation failed');
      throw error;
    }
  }

  /** Restores after `error`, which stays the error the caller sees: a failing undo would only hide it. */
  #restoreAfter(error: unknown, reason: string): void {
    try {
      this.#restore(reason);
    } catch {
      // Every other undo still ran (HookHandle.remove goes on past a failure); the first error is the one
      // the caller must see and fix.
    }
  }

  #assertBinding(): void {
    if (this.#runner !== undefined || this.#restoredBecause !== undefined) {
      throw new ContractError({
        what: `Method '${this.id}' tried to install a hook after bind() returned`,
        fix: 'Install hooks inside bind() only.',
      });
    }
  }

  /** What this prepared model changed on the model, in order (hooks and state changes). */
  get program(): readonly HookSpec[] {
    return [...this.#program];
  }

  /** True until restored. */
  get active(): boolean {
    return this.#restoredBecause === undefined;
  }

  /**
   * Runs the method on `data`; returns a new TensorDict that the caller owns and disposes. `data` is left as
   * it was.
   *
   * @example
   * using result = prepared.run(data);
   */
  run(data: TensorDict): TensorDict {
    const runner = this.#runner;
    if (runner === undefined || this.#restoredBecause !== undefined) {
      throw new ContextError({
        what: `This model prepared by '${this.id}' was restored because ${this.#restoredBecause ?? 'it is not ready'}`,
        where: 'PreparedModel.run',
        fix: 'Prepare the method on the model again.',
      });
    }
    try {
      return runner.run(data);
    } catch (error) {
      this.#restoreAfter(
        error,
        `an error occurred in run(): ${error instanceof Error ? error.message : String(error)}`,
      );
      throw error;
    }
  }

  /**
   * Runs the capture hooks' publication without running the model (read-only capture methods in a shared
   * model pass). Throws a ContractError for methods whose plan does not declare `collects: true`.
   */
  collect(data: TensorDict): TensorDict {
    const runner = this.#runner;
    if (runner?.collect === undefined) {
      throw new ContractError({
        what: `Method '${this.id}' cannot publish a shared pass`,
        where: 'collect',
        fix: 'Run it on its own.',
      });
    }
    return runner.collect(data);
  }

  /** Removes every hook and undoes every state change, in reverse order. Idempotent. */
  restore(): void {
    this.#restore('restore() was called');
  }

  #restore(reason: string): void {
    if (this.#restoredBecause !== undefined) return;
    this.#restoredBecause = reason;
    this.#runner = undefined;
    try {
      new HookHandle(this.#undo.splice(0)).remove();
    } catch (error) {
      throw TdhookError.is(error)
        ? error
        : new ContextError({ what: 'Restoring the model failed', cause: error });
    } finally {
      this.#source.released();
    }
  }

  [Symbol.dispose](): void {
    this.restore();
  }
}
