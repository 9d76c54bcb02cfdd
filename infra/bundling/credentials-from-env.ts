import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the function bundles (an esbuild alias,
 * BUNDLE_ALIASES in infra/service-function.ts). In Lambda the execution role's credentials are in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first place the
 * SDK's default chain looks and where it stops; its other providers (SSO, shared config files,
 * credential_process, web identity, container and instance metadata) and the STS, SSO and sign-in
 * clients they bring never run there, yet they were 140 KB of every SDK bundle and about 40 ms of
 * its initialisation. The local cloud and LocalStack also put credentials in the environment.
 * Without them a client fails on its first call: "Unable to find environment variable credentials."
 */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
