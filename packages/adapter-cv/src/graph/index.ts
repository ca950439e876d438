export { GraphModule } from './graph-module.js';
export { GraphNode } from './graph-node.js';
export { graphTopology, type GraphOpNode, type GraphTopology } from './graph-topology.js';
