import { tensorDictBrand } from './brand.js';

// Runtimes without Symbol.dispose: `using` helpers (TypeScript's, esbuild's) fall back to this registry symbol.
const disposeKey: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');
const installedOn = new WeakSet();

/**
 * Puts the brand, Node's inspect hook and the `Symbol.dispose` fallback on the TensorDict prototype. Called
 * by the constructor rather than at import: a top-level statement would keep TensorDict (and everything it
 * imports) in every bundle that imports anything from core.
 *
 * @example
 * installPrototypeExtras(TensorDict.prototype);
 */
export function installPrototypeExtras(prototype: { toString(): string; dispose(): void }): void {
  if (installedOn.has(prototype)) return;
  installedOn.add(prototype);
  Object.defineProperty(prototype, tensorDictBrand, { value: true });
  Object.defineProperty(prototype, Symbol.for('nodejs.util.inspect.custom'), {
    value(this: { toString(): string }): string {
      return this.toString();
    },
  });
  if (!(disposeKey in prototype)) {
    Object.defineProperty(prototype, disposeKey, {
      value(this: { dispose(): void }): void {
        this.dispose();
      },
    });
  }
}
