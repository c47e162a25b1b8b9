export * from './flows/index';
export * from './rollout';
export * from './simulate/index';
export * from './store';
