// @tdhook/adapter-rl/probes: what a policy's layers encode — linear probes (from @tdhook/probing) for the
// action, the value and environment variables, layer by layer, with an input baseline and shuffled-label
// controls.
export { probePolicy } from './probe-policy.js';
export type { ProbePolicyOptions, ProbeRow } from './probe-policy-options.js';
export type { ProbeKind, ProbeTarget } from './probe-target.js';
export { formatProbeTable, type ProbeTableOptions } from './probe-table.js';
export { standardized } from './standardized.js';
