// Placeholder entry point so the CDK app can synthesize while the handler is written.
export const handler = async (): Promise<never> => {
  throw new Error('placeholder handler: reconcile is not wired yet');
};
