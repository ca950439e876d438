/** Where probePolicy publishes the cached activations in the policy's result: a private key, never a target. */
export const activationKey = '_probe_activations';
