export { activationMaximisation } from './activation-maximisation.js';
export type { ActivationMaximisationOptions } from './options.js';
