// HookSession's lifecycle and errors, and modules with several outputs, on small models whose numbers are
// easy to check by hand.
import * as tf from '@tensorflow/tfjs-core';
import { loadReferenceModel, tensorFromSpec } from '@tdhook/testing';
import { describe, expect, it } from 'vitest';

import {
  ContextError,
  HookError,
  InvalidValueError,
  PlanError,
  ShapeMismatchError,
  TdhookError,
  UnknownPathError,
} from '../errors.js';
import { hookCounts } from '../hooks/hook-state.js';
import { isReadOnlyProgram } from '../methods/hook-spec.js';
import { Module } from '../modules/module.js';
import { ReferenceMlp } from '../../test/reference-mlp.js';
import { HookSession, openSession } from './hook-session.js';

/** Returns [2x, 3x]: two tensors from one module. */
class TwoHeads extends Module<[tf.Tensor], [tf.Tensor, tf.Tensor]> {
  forward(x: tf.Tensor): [tf.Tensor, tf.Tensor] {
    return [tf.mul(x, 2), tf.mul(x, 3)];
  }
}

/** loss = Σ heads[0] + 2·Σ heads[1], so d loss/d heads[1] = 2 everywhere. */
class TwoHeadNet extends Module {
  readonly heads: TwoHeads = this.registerModule('heads', new TwoHeads());
  forward(x: tf.Tensor): tf.Tensor {
    const [a, b] = this.heads.call(x);
    return tf.add(tf.sum(a), tf.mul(tf.sum(b), 2));
  }
}

const values = (t: tf.Tensor | undefined): number[] => Array.from(t?.dataSync() ?? []);
const reference = loadReferenceModel('mlp');

function mlpFixture(): { model: ReferenceMlp; x: tf.Tensor; run: () => tf.Tensor; dispose: () => void } {
  const model = new ReferenceMlp(reference);
  const x = tensorFromSpec(reference.inputs.x ?? reference.logits);
  return {
    model,
    x,
    run: () => tf.tidy(() => model.call(x)),
    dispose: () => {
      model.dispose();
      x.dispose();
    },
  };
}

function noHooksLeft(model: ReferenceMlp): boolean {
  return model.namedChildren().every(([, child]) => Object.values(hookCounts(child)).every((n) => n === 0));
}

describe('modules with several outputs', () => {
  it('capture the gradient of the tensor outputIndex names', () => {
    const net = new TwoHeadNet();
    const x = tf.ones([2, 3]);
    const session = openSession(net);
    const second = session.capture({ path: 'heads', kind: 'gradient', indices: [0], outputIndex: 1 });
    const first = session.capture({ path: 'heads', kind: 'gradient', indices: [0] });
    const dx = session.run(() => tf.grad((input: tf.Tensor) => net.call(input))(x));
    session.close();
    expect(second.value?.shape).toEqual([2, 1]);
    expect(values(second.value)).toEqual([2, 2]);
    expect(values(first.value)).toEqual([1, 1]);
    tf.dispose([x, dx.stopped ? undefined : dx.value]);
    second.dispose();
    first.dispose();
  });

  it('capture and replace one tensor of the output, keeping the structure', () => {
    const net = new TwoHeads();
    const x = tf.tensor2d([[1, 2, 3]]);
    const session = openSession(net);
    const captured = session.capture({ path: '', indices: [1], outputIndex: 1 });
    session.replace({ path: '', indices: [1], outputIndex: 1 }, 0);
    const after = session.capture({ path: '', outputIndex: 1 });
    const [a, b] = tf.tidy(() => net.call(x));
    session.close();
    expect(values(captured.value)).toEqual([6]);
    expect(values(a)).toEqual([2, 4, 6]);
    expect(values(b)).toEqual([3, 0, 9]);
    expect(values(after.value)).toEqual([3, 0, 9]);
    tf.dispose([x, a, b]);
    captured.dispose();
    after.dispose();
  });

  it('reject an outputIndex that names no tensor when the module runs', () => {
    const net = new TwoHeads();
    const x = tf.ones([1, 3]);
    using session = openSession(net);
    session.capture({ path: '', outputIndex: 2 });
    expect(() => session.run(() => tf.tidy(() => net.call(x)))).toThrow(
      /Module '' returned \[float32\[1,3\], float32\[1,3\]\], which has no tensor 2.*Use an outputIndex from 0 to 1/,
    );
    x.dispose();
  });
});

describe('HookSession lifecycle', () => {
  it('closes once, keeps its program, and refuses operations afterwards', () => {
    const { model, dispose } = mlpFixture();
    const session = new HookSession(model);
    session.capture('fc1').dispose();
    expect(session.closed).toBe(false);
    session.close();
    session.close();
    session[Symbol.dispose]();
    expect(session.closed).toBe(true);
    expect(session.program).toHaveLength(1);
    expect(isReadOnlyProgram(session.program)).toBe(true); // a session program is a list of HookSpecs
    expect(noHooksLeft(model)).toBe(true);
    const attempts: [string, () => unknown][] = [
      ['capture', () => session.capture('fc1')],
      [
        'replace',
        () => {
          session.replace('fc1', 0);
        },
      ],
      [
        'stopAfter',
        () => {
          session.stopAfter('fc1');
        },
      ],
      ['run', () => session.run(() => 1)],
    ];
    for (const [name, attempt] of attempts) {
      expect(attempt).toThrow(ContextError);
      expect(attempt).toThrow(new RegExp(`This session is closed \\(at HookSession\\.${name}\\)`));
    }
    dispose();
  });

  it('is undone at the end of a using block', () => {
    const { model, run, dispose } = mlpFixture();
    const before = run();
    {
      using session = openSession(model);
      session.replace({ path: 'relu2', indices: [0, 1, 2] }, 5);
      const changed = run();
      expect(values(changed)).not.toEqual(values(before));
      changed.dispose();
    }
    const after = run();
    expect(values(after)).toEqual(values(before));
    expect(noHooksLeft(model)).toBe(true);
    tf.dispose([before, after]);
    dispose();
  });

  it('returns run’s value, and needs a function', () => {
    const { model, run, dispose } = mlpFixture();
    using session = openSession(model);
    const result = session.run(run);
    expect(result.stopped).toBe(false);
    expect(result.stopped ? [] : result.value.shape).toEqual([4, 10]);
    tf.dispose(result.stopped ? undefined : result.value);
    expect(() => session.run(3 as never)).toThrow(/run takes a function, got number/);
    dispose();
  });

  it('leaves the model restored when the code inside the session throws', () => {
    const { model, run, dispose } = mlpFixture();
    const before = run();
    const session = openSession(model);
    try {
      session.replace('fc2', 0);
      session.replace({ path: 'fc1', kind: 'parameter', parameter: 'bias' }, 1);
      session.run(() => {
        tf.dispose(run());
        throw new Error('user code failed');
      });
    } catch (error) {
      expect((error as Error).message).toBe('user code failed');
    } finally {
      session.close();
    }
    const after = run();
    expect(values(after)).toEqual(values(before));
    expect(noHooksLeft(model)).toBe(true);
    tf.dispose([before, after]);
    dispose();
  });

  it('surfaces a hook that throws as a HookError, and close still restores everything', () => {
    const { model, run, dispose } = mlpFixture();
    const before = run();
    const session = openSession(model);
    session.replace({ path: 'fc1', kind: 'parameter', parameter: 'kernel', featureAxis: 1, indices: [0] }, 2);
    session.replace({ path: 'relu1', indices: [0] }, () => {
      throw new Error('bad replacement');
    });
    expect(() => session.run(run)).toThrow(HookError);
    expect(() => session.run(run)).toThrow(/A forward hook threw: bad replacement \(at module 'relu1'\)/);
    session.close();
    const after = run();
    expect(values(after)).toEqual(values(before));
    expect(noHooksLeft(model)).toBe(true);
    tf.dispose([before, after]);
    dispose();
  });

  it('surfaces a gradient hook that throws inside tf.grad without leaving the gradient tape behind', () => {
    const { model, x, dispose } = mlpFixture();
    const session = openSession(model);
    const wrong = tf.zeros([9]);
    session.replace({ path: 'fc2', kind: 'gradient', indices: [1] }, wrong);
    expect(() =>
      session.run(() => tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(model.call(input)))(x))),
    ).toThrow(ShapeMismatchError);
    session.close();
    // tfjs would tape (and leak) every later op if the abandoned tape were still active.
    const later = tf.tidy(() => tf.grad((input: tf.Tensor) => tf.sum(model.call(input)))(x));
    expect(later.shape).toEqual([4, 16]);
    tf.dispose([later, wrong]);
    dispose();
  });
});

describe('HookSession errors', () => {
  it('needs a model', () => {
    for (const notAModel of [{}, 42, null, [1, 2], { name: 'x', call: () => 1 }]) {
      expect(() => new HookSession(notAModel as never)).toThrow(InvalidValueError);
    }
    expect(() => openSession('fc1' as never)).toThrow(/A HookSession needs a model, got string/);
  });

  it('rejects unknown paths (listing the children) and bad targets, installing nothing', () => {
    const { model, dispose } = mlpFixture();
    using session = openSession(model);
    expect(() => session.capture('fc4')).toThrow(UnknownPathError);
    expect(() => session.capture({ path: 'fc4' })).toThrow(
      /Children of ReferenceMlp: fc1, relu1, fc2, relu2, fc3/,
    );
    expect(() => {
      session.replace('fc9', 1);
    }).toThrow(UnknownPathError);
    expect(() => {
      session.stopAfter('fc4');
    }).toThrow(UnknownPathError);
    expect(() => session.capture({ path: 'fc1', indices: [] })).toThrow(InvalidValueError);
    expect(() => session.capture({ path: 'fc1', kind: 'parameter', parameter: 'weight' })).toThrow(
      /has no parameter 'weight'.*kernel, bias/,
    );
    expect(() =>
      session.capture({ path: 'fc1', kind: 'parameter', parameter: 'kernel', indices: [64] }),
    ).toThrow(/Index 64 is out of range for axis -1 of a tensor float32\[16,64\]/);
    expect(() => {
      session.stopAfter(3 as never);
    }).toThrow(/stopAfter takes a module path string, got number/);
    expect(session.program).toEqual([]);
    expect(noHooksLeft(model)).toBe(true);
    dispose();
  });

  it('rejects a replacement that is not a tensor, number or function, or is disposed', () => {
    const { model, dispose } = mlpFixture();
    using session = openSession(model);
    const disposed = tf.zeros([1]);
    disposed.dispose();
    expect(() => {
      session.replace('fc1', 'zero' as never);
    }).toThrow(/A replacement must be a tensor, a number or a function, got string/);
    expect(() => {
      session.replace('fc1', disposed);
    }).toThrow(/got a disposed tensor/);
    expect(session.program).toEqual([]);
    dispose();
  });

  it('checks units against the activation when the model runs', () => {
    const { model, run, dispose } = mlpFixture();
    using session = openSession(model);
    const captured = session.capture({ path: 'fc1', indices: [64] });
    expect(() => session.run(run)).toThrow(InvalidValueError);
    expect(() => session.run(run)).toThrow(
      /Index 64 is out of range for axis -1 of a tensor float32\[4,64\] \(at activation 'fc1' \[axis -1, units 64\]\)/,
    );
    expect(captured.value).toBeUndefined();
    dispose();
  });

  it('rejects combining early stopping with gradient operations, in either order', () => {
    const { model, dispose } = mlpFixture();
    const first = openSession(model);
    first.capture({ path: 'fc2', kind: 'gradient' });
    expect(() => {
      first.stopAfter('fc1');
    }).toThrow(PlanError);
    first.close();
    const second = openSession(model);
    second.stopAfter('fc1');
    let thrown: unknown;
    try {
      second.replace({ path: 'fc2', kind: 'gradient' }, 0);
    } catch (error) {
      thrown = error;
    }
    expect(TdhookError.is(thrown) && thrown.code).toBe('E_PLAN');
    expect((thrown as Error).message).toMatch(/never computes gradients, and this session stops after 'fc1'/);
    expect(second.program).toHaveLength(1);
    second.close();
    expect(noHooksLeft(model)).toBe(true);
    dispose();
  });
});
