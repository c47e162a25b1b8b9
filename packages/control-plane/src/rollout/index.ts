/**
 * The rollout controller for Flagger's `Canary` (flagger.app/v1beta1): the pure state machine
 * (`decideTick`), the objects a Canary owns, the metric and webhook checks, and the runner that
 * drives every Canary in the store.
 */
export * from './canary-model';
export * from './canary-wizard';
export * from './decide';
export * from './generated-objects';
export { checkMetrics, judge } from './metric-checks';
export * from './rollout-commands';
export * from './rollout-controller';
export * from './rollout-status';
export * from './rollout-view';
export * from './traffic-split';
export { callWebhooks, DEFAULT_WEBHOOK_TIMEOUT_MS, type Fetch, sendEvent, type WebhookPayload } from './webhook-calls';
