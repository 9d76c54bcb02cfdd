/**
 * Stands in for `@smithy/core/event-streams` in the function bundles (an esbuild alias,
 * BUNDLE_ALIASES in infra/service-function.ts). The SDK's HTTP protocol imports it on demand, only
 * for operations with an event-stream input or output; DynamoDB and EventBridge have none, yet the
 * bundler inlined its codecs (about 15 KB of every SDK bundle). If an operation ever needs it, the
 * call fails loudly here instead of silently doing without.
 */
function unavailable(): never {
  throw new Error(
    '@smithy/core/event-streams is not bundled (infra/bundling/no-event-streams.ts): remove its alias to use an event-stream operation',
  );
}

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export const eventStreamSerdeProvider = (): never => unavailable();
