import { CfnResource, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Resources that hold data or identity: what `cdk destroy` must keep in prod and remove
 * everywhere else. CDK's own defaults differ per construct (a user pool, a KMS key and a
 * log group created with `new LogGroup` are retained, a function's log group is not), so
 * one rule decides instead.
 */
export const STATEFUL_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::Cognito::UserPool',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
] as const;

/** Data is kept on `cdk destroy` in prod only. */
export const retainsData = (config: { stage: string }): boolean => config.stage === 'prod';

/** Retains every stateful resource when `retain`, destroys it otherwise (same DeletionPolicy and UpdateReplacePolicy). */
export class StageRemovalPolicy implements IAspect {
  readonly #policy: RemovalPolicy;

  constructor(retain: boolean) {
    this.#policy = retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  }

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    if (!(STATEFUL_TYPES as readonly string[]).includes(node.cfnResourceType)) return;
    node.applyRemovalPolicy(this.#policy);
  }
}
