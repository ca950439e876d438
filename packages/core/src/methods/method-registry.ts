import { ContractError, MissingKeyError } from '../errors.js';
import { checkDefinition, type AnyMethodFactory, type MethodFactory } from './define-method.js';

/**
 * One line per installed method, for listings and UIs.
 *
 * @example
 * const listings: MethodListing[] = registry.list();
 * for (const { id, summary } of listings) console.log(`${id}: ${summary ?? ''}`);
 */
export interface MethodListing {
  readonly id: string;
  readonly summary: string | undefined;
}

/**
 * The methods an application has installed, registered explicitly (nothing registers itself on import).
 *
 * @example
 * const registry = createMethodRegistry().use(saliency).use(activationNorms);
 * registry.list(); // [{ id: 'attribution/saliency', … }, { id: 'acme/activation-norms', … }]
 * const method = registry.get('acme/activation-norms')({ paths: ['fc1'] });
 */
export interface MethodRegistry {
  /** Adds a method factory; throws a ContractError for a bad plugin or a duplicate id. Returns the registry. */
  use(factory: AnyMethodFactory): MethodRegistry;
  has(id: string): boolean;
  /** The factory for `id`, or an error listing the installed ids. */
  get<Options = unknown>(id: string): MethodFactory<Options>;
  list(): MethodListing[];
}

/**
 * Creates an empty registry. Registries are plain values: keep one per application (or per test).
 *
 * @example
 * const registry = createMethodRegistry().use(activationNorms);
 */
export function createMethodRegistry(): MethodRegistry {
  const factories = new Map<string, AnyMethodFactory>();
  const registry: MethodRegistry = {
    use(factory) {
      const definition = (factory as Partial<AnyMethodFactory>).definition;
      if (typeof factory !== 'function' || definition === undefined) {
        throw new ContractError({
          what: 'registry.use() takes a method factory made by defineMethod()',
          where: 'MethodRegistry.use',
          fix: 'Wrap the plugin definition: defineMethod({ contract, id, plan, bind }).',
        });
      }
      checkDefinition(definition);
      if (factories.has(definition.id)) {
        throw new ContractError({
          what: `A method '${definition.id}' is already registered`,
          where: 'MethodRegistry.use',
          fix: 'Register each method once; ids are unique.',
        });
      }
      factories.set(definition.id, factory);
      return registry;
    },
    has: (id) => factories.has(id),
    get<Options>(id: string): MethodFactory<Options> {
      const factory = factories.get(id);
      if (factory === undefined) {
        throw new MissingKeyError({
          what: `No method '${id}' is registered`,
          where: 'MethodRegistry.get',
          fix: `Installed: ${[...factories.keys()].join(', ') || 'none'}. Register it with registry.use(factory).`,
        });
      }
      return factory as unknown as MethodFactory<Options>;
    },
    list: () =>
      [...factories.values()].map(({ definition }) => ({ id: definition.id, summary: definition.summary })),
  };
  return registry;
}
