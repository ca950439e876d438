export { noiseTunnelKinds, type NoiseTunnelKind } from './aggregate.js';
export {
  noiseTunnel,
  noiseTunnelMethod,
  type ConfiguredNoiseTunnelOptions,
  type NoiseTunnelOptions,
  type WrappedMethod,
} from './noise-tunnel.js';
