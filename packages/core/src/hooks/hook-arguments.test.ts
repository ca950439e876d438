// Every public function that installs hooks checks all of its arguments before it installs anything: from
// plain JavaScript, a wrong argument must give a typed error and leave the model exactly as it was.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { Lambda, Sequential } from '../modules/containers.js';
import { HookSession } from '../session/hook-session.js';
import { hookCounts } from './hook-state.js';
import { registerHook, stopAfter } from './register-hook.js';
import { registerMatchingHooks } from './register-matching-hooks.js';

const relu = (): Lambda => new Lambda('relu', (x: tf.Tensor) => tf.relu(x));
const net = (): Sequential => new Sequential({ a: relu(), b: relu() });
const noop = (): undefined => undefined;

/** True if no node of the model carries a hook or a shadowed forward/call. */
function untouched(model: Sequential | tfl.LayersModel): boolean {
  const nodes =
    model instanceof Sequential
      ? [model, ...model.namedChildren().map(([, child]) => child)]
      : [model, ...model.layers];
  return nodes.every(
    (node) =>
      Object.values(hookCounts(node)).every((count) => count === 0) &&
      !Object.hasOwn(node, 'forward') &&
      !Object.hasOwn(node, 'call'),
  );
}

// Calls as plain JavaScript would make them: nothing is type-checked.
type Loose = (...args: unknown[]) => unknown;
const looseRegister = registerHook as unknown as Loose;
const looseMatching = registerMatchingHooks as unknown as Loose;
const looseStop = stopAfter as unknown as Loose;

describe('hook-installing functions refuse bad arguments before installing anything', () => {
  it("registerHook(model, 'a', 'fwd', fn) is a typed error and leaves forward unshadowed (issue 12 §4.3)", () => {
    const model = net();
    expect(() => looseRegister(model, 'a', 'fwd', noop)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Unknown hook direction "fwd" \(at registerHook\(model, 'a'\)\)\. Use one of 'forward-pre', 'forward', 'backward-pre', 'backward'/,
    );
    expect(untouched(model)).toBe(true);
    // The model still runs normally.
    const y = tf.tidy(() => model.call(tf.tensor1d([-1, 2])));
    expect(Array.from(y.dataSync())).toEqual([0, 2]);
    y.dispose();
    model.dispose();
  });

  it('registerHook and stopAfter: every argument, with what, where and how to fix', () => {
    const model = net();
    const cases: [() => unknown, string, RegExp][] = [
      [() => looseRegister({}, 'a', 'forward', noop), 'E_INVALID_VALUE', /Expected a model .*got \{\}/],
      [() => looseRegister(null, 'a', 'forward', noop), 'E_INVALID_VALUE', /Expected a model .*got null/],
      [() => looseRegister(model, 3, 'forward', noop), 'E_INVALID_VALUE', /module path must be a string/],
      [
        () => looseRegister(model, 'a', undefined, noop),
        'E_INVALID_VALUE',
        /Unknown hook direction undefined/,
      ],
      [
        () => looseRegister(model, 'a', 'forward', 3),
        'E_INVALID_VALUE',
        /A forward hook must be a function, got number \(at registerHook\(model, 'a', 'forward'\)\)/,
      ],
      [
        () => looseRegister(model, 'a', 'forward', noop, null),
        'E_INVALID_VALUE',
        /options must be an object/,
      ],
      [
        () => looseRegister(model, 'a', 'forward', noop, { prepend: 'yes' }),
        'E_INVALID_VALUE',
        /prepend must be a boolean, got "yes"/,
      ],
      [() => looseRegister(model, 'nope', 'forward', noop), 'E_UNKNOWN_PATH', /nope/],
      [() => looseStop(undefined, 'a'), 'E_INVALID_VALUE', /Expected a model .*\(at stopAfter\)/],
      [() => looseStop(model, 5), 'E_INVALID_VALUE', /module path must be a string, got number/],
    ];
    for (const [call, code, pattern] of cases) {
      expect(call).toThrowTdhookError(code, pattern);
      expect(untouched(model)).toBe(true);
    }
    model.dispose();
  });

  it('registerMatchingHooks: the options, and a factory that returns no function (rolled back)', () => {
    const model = net();
    const factory = (): (() => undefined) => noop;
    const cases: [unknown, RegExp][] = [
      [null, /Options must be an object, got null/],
      [{ pattern: 'a', direction: 'forward', hook: factory }, /pattern must be a RegExp, got "a"/],
      [{ pattern: /a/, direction: 'fwd', hook: factory }, /Unknown hook direction "fwd"/],
      [{ pattern: /a/, direction: 'forward', hook: 3 }, /hook must be a function \(path, module\) => hook/],
      [{ pattern: /a/, direction: 'forward', hook: factory, prepend: 1 }, /prepend must be a boolean/],
      // 'a' gets its hook first, then the factory returns a number for 'b': 'a' is taken back.
      [
        { pattern: /./, direction: 'forward', hook: (path: string) => (path === 'b' ? 3 : noop) },
        /A forward hook must be a function, got number \(at registerMatchingHooks: the hook made for 'b'\)/,
      ],
    ];
    for (const [options, pattern] of cases) {
      expect(() => looseMatching(model, options)).toThrowTdhookError('E_INVALID_VALUE', pattern);
      expect(untouched(model)).toBe(true);
    }
    expect(() => looseMatching({}, { pattern: /./, direction: 'forward', hook: factory })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Expected a model/,
    );
    model.dispose();
  });

  it('a Layers model is left as it was too', () => {
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'fc1' })],
    });
    expect(() => looseRegister(model, 'fc1', 'fwd', noop)).toThrowTdhookError('E_INVALID_VALUE', /"fwd"/);
    expect(untouched(model)).toBe(true);
    model.dispose();
  });

  it('session operations check their arguments and record nothing on failure', () => {
    const model = net();
    const session = new HookSession(model);
    const looseSession = session as unknown as Record<'capture' | 'replace' | 'stopAfter', Loose>;
    expect(() => looseSession.capture(3)).toThrowTdhookError('E_INVALID_VALUE', /A target must be an object/);
    expect(() => looseSession.capture({ path: 'a', kind: 'weird' })).toThrowTdhookError(
      'E_INVALID_VALUE',
      /Target kind must be one of activation, gradient, parameter, got "weird"/,
    );
    expect(() => looseSession.replace('a', 'x')).toThrowTdhookError(
      'E_INVALID_VALUE',
      /A replacement must be a tensor, a number or a function/,
    );
    expect(() => looseSession.stopAfter(3)).toThrowTdhookError(
      'E_INVALID_VALUE',
      /stopAfter takes a module path string/,
    );
    expect(() => new HookSession({} as never)).toThrowTdhookError('E_INVALID_VALUE', /needs a model/);
    expect(session.program).toEqual([]);
    expect(untouched(model)).toBe(true);
    session.close();
    model.dispose();
  });
});
