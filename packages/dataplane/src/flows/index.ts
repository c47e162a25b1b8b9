/** Recent authorization decisions of a proxy, kept in a fixed-size ring and served on its admin port. */
export { DEFAULT_FLOW_CAPACITY, type FlowPage, FlowRing, type FlowWorkload } from './flow-ring';
