/**
 * Stands in for `@aws-sdk/endpoint-cache` in the function bundles (an esbuild alias,
 * BUNDLE_ALIASES in infra/service-function.ts). The DynamoDB client always installs endpoint
 * discovery, which no DynamoDB operation requires and which is off unless a caller turns it on
 * (`endpointDiscoveryEnabled`, `AWS_ENABLE_ENDPOINT_DISCOVERY`); while it is off nothing is ever
 * written to the cache, so every lookup finds nothing, as it does here. The real cache brings
 * mnemonist's LRU (about 8 KB of every DynamoDB bundle). If discovery is ever turned on, its first
 * write to the cache fails loudly here instead of silently doing without.
 */
export class EndpointCache {
  getEndpoint(_key: string): undefined {
    return undefined;
  }

  get(_key: string): undefined {
    return undefined;
  }

  has(_key: string): boolean {
    return false;
  }

  set(_key: string, _endpoints: unknown): never {
    throw new Error(
      '@aws-sdk/endpoint-cache is not bundled (infra/bundling/no-endpoint-discovery.ts): remove its alias to use endpoint discovery',
    );
  }

  delete(_key: string): void {}

  clear(): void {}
}
