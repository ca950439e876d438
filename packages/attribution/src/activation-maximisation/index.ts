export { activationMaximisation } from './activation-maximisation.js';
export type { ActivationMaximisationOptions, ConfiguredActivationMaximisationOptions } from './options.js';
