import { Stack } from 'aws-cdk-lib';
import { Code, type CodeConfig } from 'aws-cdk-lib/aws-glue';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { Construct } from 'constructs';

/**
 * A Glue script file as a CDK asset that grants its job's role `s3:GetObject` on that one object.
 * Glue's own `Code.fromAsset` grants read on the whole asset bucket (`s3:GetObject*`, `s3:List*`
 * on `cdk-...-assets-*`/*), which would let a job read every other stack's assets.
 */
export class ScriptCode extends Code {
  private readonly asset: Asset;

  constructor(scope: Construct, id: string, path: string) {
    super();
    this.asset = new Asset(scope, id, { path });
  }

  bind(_scope: Construct, grantable: IGrantable): CodeConfig {
    const stack = Stack.of(this.asset);
    grantable.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [`arn:${stack.partition}:s3:::${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`],
      }),
    );
    return { s3Location: { bucketName: this.asset.s3BucketName, objectKey: this.asset.s3ObjectKey } };
  }
}
