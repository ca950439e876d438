// Patches that stay on top. tfjs-layers' Node build (and the @tensorflow/tfjs umbrella) registers tfjs-core's
// stock gradients again when it loads, and any later `registerGradient`/`registerKernel` simply overwrites the
// registry entry: a patch installed before that import was silently gone. So each patched entry is "pinned":
// a stack of layers over an underlying entry. A registration from elsewhere replaces the underlying entry and
// the layers are rebuilt over it; removing the last layer puts the latest underlying entry back.
import { globalRegistry, type RegistryName } from './global-registries.js';

/** One patch on a registry entry: builds the entry from the one below it (undefined: nothing registered). */
export type LayerBuild<C> = (below: C | undefined) => C | undefined;

interface Layer<C> {
  readonly build: LayerBuild<C>;
  built: C | undefined;
  builtOver: C | undefined;
  fresh: boolean;
}

/** How to read and write one registry entry through tfjs-core's public functions. */
export interface EntryAccess<C> {
  read(): C | undefined;
  /** Replaces the entry; `undefined` removes it. */
  write(config: C | undefined): void;
}

interface Pin<C> {
  underlying: C | undefined;
  readonly layers: Layer<C>[];
  readonly access: EntryAccess<C>;
}

interface PinState {
  readonly pins: Record<RegistryName, Map<string, Pin<unknown>>>;
  /** Above 0 while tdhook itself writes a pinned entry: those writes pass the guard. */
  writing: number;
  readonly guarded: WeakSet<Map<string, unknown>>;
}

// On globalThis, so that two copies of this package (ESM and CJS, or two versions) share one set of pins
// and guard each Map once. The "/1" is the layout of this state; a change of layout takes a new key.
const stateKey = Symbol.for('tdhook.tfjs-internals.registry-pins/1');

function pinState(): PinState {
  const holder = globalThis as unknown as Record<symbol, PinState | undefined>;
  holder[stateKey] ??= {
    pins: { kernelRegistry: new Map(), gradRegistry: new Map() },
    writing: 0,
    guarded: new WeakSet(),
  };
  return holder[stateKey];
}

function writeOwn<C>(pin: Pin<C>, config: C | undefined): void {
  if (pin.access.read() === config) return;
  const state = pinState();
  state.writing += 1;
  try {
    pin.access.write(config);
  } finally {
    state.writing -= 1;
  }
}

/** Rebuilds the layers whose entry below changed and registers the top one. */
function apply<C>(pin: Pin<C>): void {
  let current = pin.underlying;
  for (const layer of pin.layers) {
    if (layer.fresh || layer.builtOver !== current) {
      layer.built = layer.build(current);
      layer.builtOver = current;
      layer.fresh = false;
    }
    current = layer.built;
  }
  writeOwn(pin, current);
}

// Replaces `set` and `delete` of the registry Map itself (own properties shadow Map.prototype): every copy of
// tfjs-core's registerX/unregisterX calls them. Writes to pinned entries from elsewhere go underneath.
function guard(name: RegistryName): void {
  const registry = globalRegistry(name);
  const state = pinState();
  if (registry === undefined || state.guarded.has(registry)) return;
  // Whatever is there now: Map.prototype's, or the guard of another copy of this package (another layout).
  const set = Reflect.get<Map<string, unknown>, 'set'>(registry, 'set');
  const remove = Reflect.get<Map<string, unknown>, 'delete'>(registry, 'delete');
  const pinned = (key: string): Pin<unknown> | undefined =>
    state.writing === 0 ? state.pins[name].get(key) : undefined;
  Object.defineProperty(registry, 'set', {
    configurable: true,
    writable: true,
    value(this: Map<string, unknown>, key: string, value: unknown): Map<string, unknown> {
      const pin = pinned(key);
      if (pin === undefined) return set.call(this, key, value);
      pin.underlying = value;
      apply(pin);
      return this;
    },
  });
  Object.defineProperty(registry, 'delete', {
    configurable: true,
    writable: true,
    value(this: Map<string, unknown>, key: string): boolean {
      const pin = pinned(key);
      if (pin === undefined) return remove.call(this, key);
      const had = pin.underlying !== undefined;
      pin.underlying = undefined;
      apply(pin);
      return had;
    },
  });
  state.guarded.add(registry);
}

/**
 * Puts `build` on top of the entry `key` of `name` and returns its undo. Layers may be undone in any order;
 * undoing one twice does nothing.
 */
export function pushLayer<C>(
  name: RegistryName,
  key: string,
  access: EntryAccess<C>,
  build: LayerBuild<C>,
): () => void {
  const pins = pinState().pins[name] as Map<string, Pin<C>>;
  let pin = pins.get(key);
  if (pin === undefined) {
    pin = { underlying: access.read(), layers: [], access };
    pins.set(key, pin);
    guard(name);
  }
  const layer: Layer<C> = { build, built: undefined, builtOver: undefined, fresh: true };
  pin.layers.push(layer);
  const owner = pin;
  const undo = (): void => {
    const index = owner.layers.indexOf(layer);
    if (index < 0) return;
    owner.layers.splice(index, 1);
    if (owner.layers.length > 0) {
      apply(owner);
      return;
    }
    if (pins.get(key) === owner) pins.delete(key);
    writeOwn(owner, owner.underlying);
  };
  try {
    apply(pin);
  } catch (error) {
    undo();
    throw error;
  }
  return undo;
}
