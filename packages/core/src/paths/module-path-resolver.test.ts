import { describe, expect, it } from 'vitest';

import { InvalidPathError, TdhookError, UnknownPathError } from '../errors.js';
import { parseModulePath } from './module-path-parser.js';
import { resolveModulePath, type ModuleTreeNode } from './module-path-resolver.js';

/** A module of the fake tree: plain data, no getters, so the test sees exactly what the resolver reads. */
interface FakeModule {
  readonly type: string;
  readonly name: string;
  readonly kind: 'sequence' | 'mapping' | 'none';
  readonly children: [string, FakeModule][];
  readonly inner?: FakeModule;
}

function leaf(name: string, type = 'Linear'): FakeModule {
  return { type, name, kind: 'none', children: [] };
}

function module(name: string, children: [string, FakeModule][], type = 'Module'): FakeModule {
  return { type, name, kind: 'none', children };
}

function sequence(name: string, children: FakeModule[] | [string, FakeModule][]): FakeModule {
  const named = children.map((child, position): [string, FakeModule] =>
    Array.isArray(child) ? child : [String(position), child],
  );
  return { type: 'Sequential', name, kind: 'sequence', children: named };
}

function mapping(name: string, children: [string, FakeModule][]): FakeModule {
  return { type: 'ModuleDict', name, kind: 'mapping', children };
}

const tree: ModuleTreeNode<FakeModule> = {
  children: (node) => node.children,
  containerKind: (node) => node.kind,
  describe: (node) => `${node.type} '${node.name}'`,
  wrapped: (node) => node.inner,
};

/** A tree that records every call, to show that a rejected path reads nothing. */
function recordingTree(): { tree: ModuleTreeNode<FakeModule>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    tree: {
      children: (node) => (calls.push(`children ${node.name}`), node.children),
      containerKind: (node) => (calls.push(`containerKind ${node.name}`), node.kind),
      describe: (node) => (calls.push(`describe ${node.name}`), tree.describe(node)),
      wrapped: (node) => (calls.push(`wrapped ${node.name}`), node.inner),
    },
  };
}

const b = leaf('a.b');
const a = module('a', [['b', b]]);
const items = sequence('items', [leaf('items.0'), leaf('items.1'), leaf('items.2'), leaf('items.3')]);
const first = leaf('data.first');
const second = leaf('data.second');
const odd = leaf('data.odd');
const data = mapping('data', [
  ['first', first],
  ['second', second],
  ['a]b:c', odd],
]);
const blockModule = leaf('block0/module');
const b1 = sequence('b1/m', [leaf('b1/m.0')]);
const sm = sequence('s/m', [leaf('s/m.0'), leaf('s/m.1')]);
const b2 = module('b2/m', [['s/m', sm]]);
const k = leaf('k');
const b3 = mapping('b3/m', [['k', k]]);
const child = module('child', [['b3/m', b3]]);
const m1 = sequence('m1', [leaf('m1.0'), leaf('m1.1')]);
const layers = sequence('layers', [
  module('layers.0', [['items', sequence('layers.0.items', [leaf('x0'), leaf('x1')])]]),
]);
const linear2 = leaf('inner.linear2');
const inner = module('inner', [
  ['linear1', leaf('inner.linear1')],
  ['linear2', linear2],
]);
const wrapper: FakeModule = { ...module('wrapper', [['module', inner]], 'Wrapper'), inner };
const root = module(
  'root',
  [
    ['a', a],
    ['items', items],
    ['data', data],
    ['block0/module', blockModule],
    ['b1/m', b1],
    ['b2/m', b2],
    ['child', child],
    ['m1', m1],
    ['layers', layers],
    ['wrapper', wrapper],
  ],
  'Net',
);

const resolve = (path: string, from: FakeModule = root): FakeModule | FakeModule[] =>
  resolveModulePath(from, path, tree);

function resolveError(path: string, from: FakeModule = root): UnknownPathError {
  try {
    resolve(path, from);
  } catch (error) {
    if (error instanceof UnknownPathError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(path)} to fail`);
}

/** The message up to its `(at …)` part: what went wrong. */
function what(error: UnknownPathError): string {
  return error.message.slice(0, error.message.indexOf(' (at '));
}

const ROOT_CHILDREN =
  "Children of Net 'root': a, items, data, <block0/module>, <b1/m>, <b2/m>, child, m1, layers, wrapper.";

describe('resolveModulePath', () => {
  it('resolves the empty path to the root', () => {
    expect(resolve('')).toBe(root);
  });

  it('follows names, digits included', () => {
    expect(resolve('a')).toBe(a);
    expect(resolve('a.b')).toBe(b);
    expect(resolve('m1.0')).toBe(m1.children[0]?.[1]);
    expect(resolve('items.3')).toBe(items.children[3]?.[1]);
  });

  it('indexes sequences from either end', () => {
    expect(resolve('items[0]')).toBe(items.children[0]?.[1]);
    expect(resolve('items[-1]')).toBe(items.children[3]?.[1]);
    expect(resolve('items[-2]')).toBe(items.children[2]?.[1]);
    expect(resolve('layers[0].items[1]')).toMatchObject({ name: 'x1' });
    expect(resolve('[0]', items)).toBe(items.children[0]?.[1]);
    expect(resolve('[-1].items[0]', layers)).toMatchObject({ name: 'x0' });
  });

  it('slices sequences with Python semantics, returning arrays', () => {
    const names = (path: string): string[] => {
      const found = resolve(path);
      if (!Array.isArray(found)) throw new Error('expected an array');
      return found.map((node) => node.name);
    };
    expect(names('items[1:3]')).toStrictEqual(['items.1', 'items.2']);
    expect(names('items[-1:]')).toStrictEqual(['items.3']);
    expect(names('items[4:5]')).toStrictEqual([]);
    expect(names('items[3:4]')).toStrictEqual(['items.3']);
    expect(names('items[1:1]')).toStrictEqual([]);
    expect(names('items[0:3:2]')).toStrictEqual(['items.0', 'items.2']);
    expect(names('items[::-1]')).toStrictEqual(['items.3', 'items.2', 'items.1', 'items.0']);
    expect(names('items[-2::-2]')).toStrictEqual(['items.2', 'items.0']);
    expect(names('items[-100:100]')).toHaveLength(4);
    expect(names('items[:]')).toHaveLength(4);
    const three = sequence('three', [leaf('t0'), leaf('t1'), leaf('t2')]);
    expect(resolveModulePath(three, '[3:4]', tree)).toStrictEqual([]);
    expect(resolveModulePath(three, '[-1:]', tree)).toStrictEqual([three.children[2]?.[1]]);
  });

  it('looks mapping keys up, quotes of either kind, ] and : inside', () => {
    expect(resolve("data['first']")).toBe(first);
    expect(resolve('data["second"]')).toBe(second);
    expect(resolve("data['a]b:c']")).toBe(odd);
    expect(resolve('data.first')).toBe(first);
  });

  it('follows escaped names', () => {
    expect(resolve('<block0/module>')).toBe(blockModule);
    expect(resolve('<b1/m>[0]')).toBe(b1.children[0]?.[1]);
    expect(resolve('<b2/m>.<s/m>[0]')).toBe(sm.children[0]?.[1]);
    expect(resolve('<b2/m><s/m>[0]')).toBe(resolve('<b2/m>.<s/m>[0]'));
    expect(resolve("child.<b3/m>['k']")).toBe(k);
    expect(resolve('<a>.<b>')).toBe(b);
  });

  it('sees through wrappers, and survives a wrapper that wraps itself', () => {
    expect(resolve('wrapper.linear2')).toBe(linear2);
    expect(resolve('wrapper.module.linear2')).toBe(linear2);
    const twice: FakeModule = { ...module('outer', [], 'Wrapper'), inner: wrapper };
    expect(resolve('linear2', twice)).toBe(linear2);
    type Mutable = { -readonly [K in keyof FakeModule]: FakeModule[K] };
    const loop: Mutable = module('loop', [['y', leaf('y')]], 'Wrapper');
    loop.inner = loop;
    expect(resolveError('x', loop).message).toBe(
      "Cannot resolve module path 'x': no submodule x in Wrapper 'loop' (at segment 0 'x' at position 0). " +
        "Children of Wrapper 'loop': y.",
    );
    const ping: Mutable = module('ping', [], 'Wrapper');
    const pong: Mutable = { ...module('pong', [['z', leaf('z')]], 'Wrapper'), inner: ping };
    ping.inner = pong;
    expect(resolve('z', ping)).toBe(pong.children[0]?.[1]);
    expect(what(resolveError('x', ping))).toBe(
      "Cannot resolve module path 'x': no submodule x in Wrapper 'ping' or the modules it wraps",
    );
  });

  it('accepts a parsed path and reuses it', () => {
    const parsed = parseModulePath('items[-1]');
    expect(resolveModulePath(root, parsed, tree)).toBe(items.children[3]?.[1]);
    expect(resolveModulePath(layers, parseModulePath('[0].items[-1]'), tree)).toMatchObject({ name: 'x1' });
    expect(resolveModulePath(root, { source: 'a.b', segments: parsed.segments.slice(0, 0) }, tree)).toBe(
      root,
    );
  });

  it('accepts hand-built paths, checked as the parser would', () => {
    const handBuilt = {
      source: 'a.b',
      segments: [
        { kind: 'attribute', name: 'a', escaped: false },
        { kind: 'attribute', name: 'b', escaped: false },
      ] as const,
    };
    expect(resolveModulePath(root, handBuilt, tree)).toBe(b);
    const missing = {
      source: 'a.zz',
      segments: [{ kind: 'attribute', name: 'zz', escaped: false }] as const,
    };
    expect(() => resolveModulePath(a, missing, tree)).toThrow(
      "Cannot resolve module path 'a.zz': no submodule zz in Module 'a' (at segment 0 'zz'). Children of Module 'a': b.",
    );
    const badSlice = { source: 'x', segments: [{ kind: 'slice' }, { kind: 'index', index: 0 }] as const };
    expect(() => resolveModulePath(root, badSlice, tree)).toThrow(InvalidPathError);
  });

  it('rejects malformed paths and code before any lookup', () => {
    for (const path of ['fn()', 'items[0] + 1', 'items[foo]', '[x for x in items]', 'items[0', '<<item>']) {
      const recording = recordingTree();
      expect(() => resolveModulePath(root, path, recording.tree), path).toThrow(InvalidPathError);
      expect(recording.calls, path).toStrictEqual([]);
    }
  });

  it('reads only through the tree functions, and only along the path', () => {
    const recording = recordingTree();
    resolveModulePath(root, 'items[1]', recording.tree);
    expect(recording.calls).toStrictEqual(['children root', 'children items', 'containerKind items']);
  });

  it('rejects what is not a string or a parsed path', () => {
    for (const value of [7, null, undefined, { source: 'a' }]) {
      expect(() => resolveModulePath(root, value as unknown as string, tree)).toThrow(
        'Invalid module path: module paths are strings, got',
      );
    }
  });

  it('names the path, segment and position of a missing name, and lists the children', () => {
    const error = resolveError('a.c');
    expect(TdhookError.is(error)).toBe(true);
    expect(error.code).toBe('E_UNKNOWN_PATH');
    expect(error.where).toBe("segment 1 'c' at position 2");
    expect(error.message).toBe(
      "Cannot resolve module path 'a.c': no submodule c in Module 'a' (at segment 1 'c' at position 2). " +
        "Children of Module 'a': b.",
    );
    expect(resolveError('nope').message).toBe(
      "Cannot resolve module path 'nope': no submodule nope in Net 'root' (at segment 0 'nope' at position 0). " +
        ROOT_CHILDREN,
    );
  });

  it('suggests a close name', () => {
    expect(resolveError('itemz[0]').fix).toBe(`Did you mean items? ${ROOT_CHILDREN}`);
    expect(resolveError('<Block0/Module>').fix).toBe(`Did you mean <block0/module>? ${ROOT_CHILDREN}`);
    expect(resolveError("data['frist']").fix).toBe("Did you mean 'first'? Keys: 'first', 'second', 'a]b:c'.");
  });

  it('lists at most ten children, and says when a module has none', () => {
    const many = sequence(
      'many',
      Array.from({ length: 13 }, (_, position) => leaf(`l${position}`)),
    );
    expect(resolveError('x', many).fix).toBe(
      "Children of Sequential 'many': 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 3 more.",
    );
    expect(resolveError('a.b.c').message).toBe(
      "Cannot resolve module path 'a.b.c': no submodule c in Linear 'a.b' (at segment 2 'c' at position 4). " +
        "Linear 'a.b' has no children; the path may go one level too deep.",
    );
  });

  it('lists the names found through wrappers', () => {
    expect(resolveError('wrapper.linear3').message).toBe(
      "Cannot resolve module path 'wrapper.linear3': no submodule linear3 in Wrapper 'wrapper' or the modules " +
        "it wraps (at segment 1 'linear3' at position 8). Did you mean linear1? " +
        "Children of Wrapper 'wrapper' and the modules it wraps: module, linear1, linear2.",
    );
  });

  it('reports an index out of range with the valid range', () => {
    expect(resolveError('items[5]').message).toBe(
      "Cannot resolve module path 'items[5]': index 5 out of range for Sequential 'items' with 4 children " +
        "(at segment 1 '[5]' at position 5). Valid indexes are 0 to 3, or -4 to -1 from the end.",
    );
    expect(what(resolveError('items[-5]'))).toBe(
      "Cannot resolve module path 'items[-5]': index -5 out of range for Sequential 'items' with 4 children",
    );
    expect(what(resolveError('<b1/m>[1]'))).toContain("out of range for Sequential 'b1/m' with 1 child");
    expect(resolveError('[0]', sequence('empty', [])).fix).toBe("Sequential 'empty' has no children.");
  });

  it('refuses positions on mappings and on plain modules', () => {
    expect(resolveError('data[0]').message).toBe(
      "Cannot resolve module path 'data[0]': cannot index ModuleDict 'data' with [0]: it is a mapping, and " +
        "mapping keys are strings (at segment 1 '[0]' at position 4). Quote a key, e.g. ['first']. " +
        "Keys: 'first', 'second', 'a]b:c'.",
    );
    expect(what(resolveError('data[0:1]'))).toContain("cannot index ModuleDict 'data' with [0:1]");
    expect(resolveError('a[0]').message).toBe(
      "Cannot resolve module path 'a[0]': Module 'a' is not a positional module container " +
        "(at segment 1 '[0]' at position 1). Only sequences take [0]; name a child after a '.' instead. " +
        "Children of Module 'a': b.",
    );
    expect(what(resolveError('a[1:]'))).toBe(
      "Cannot resolve module path 'a[1:]': Module 'a' is not a positional module container",
    );
    expect(resolveError('[0]').code).toBe('E_UNKNOWN_PATH');
  });

  it('refuses keys on sequences and plain modules, and reports missing keys', () => {
    expect(resolveError("items['0']").message).toBe(
      "Cannot resolve module path 'items['0']': Sequential 'items' is not a mapping: its children are indexed " +
        "by position, as in [0] (at segment 1 '['0']' at position 5). Only mappings take quoted keys; name a " +
        "child after a '.' instead. Children of Sequential 'items': 0, 1, 2, 3.",
    );
    expect(what(resolveError("a['b']"))).toBe(
      "Cannot resolve module path 'a['b']': Module 'a' is not a mapping",
    );
    expect(resolveError("data['third']").message).toBe(
      "Cannot resolve module path 'data['third']': no key 'third' in ModuleDict 'data' " +
        "(at segment 1 '['third']' at position 4). Keys: 'first', 'second', 'a]b:c'.",
    );
  });

  it('never looks up inherited object properties', () => {
    for (const path of ['constructor', '__proto__', 'toString', 'a.hasOwnProperty']) {
      expect(() => resolve(path), path).toThrow(UnknownPathError);
    }
  });
});
