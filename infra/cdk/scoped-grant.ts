import { Stack, Validations } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, type PolicyStatementProps } from 'aws-cdk-lib/aws-iam';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';

/**
 * Adds a statement to a role's policy; each resource in it with a wildcard (a key prefix, a name
 * prefix) is acknowledged to cdk-nag (AwsSolutions-IAM5) with `wildcardReason`, the finding named
 * the way cdk-nag names it. Wildcard actions are never acknowledged: name the actions.
 */
export function grantScoped(role: IRole, statement: PolicyStatementProps, wildcardReason?: string): void {
  role.addToPrincipalPolicy(new PolicyStatement(statement));
  const stack = Stack.of(role);
  for (const resource of statement.resources ?? []) {
    const flat = flattenCfnReference(stack.resolve(resource));
    if (!flat.includes('*')) continue;
    if (wildcardReason === undefined)
      throw new Error(`say why ${flat} needs its wildcard (grantScoped's reason)`);
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${flat}]`,
      reason: wildcardReason,
    });
  }
}
