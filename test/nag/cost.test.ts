import { RemovalPolicy, Tags, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { markPooled } from '../../lib/nag';
import { newStack, pathsFor } from './support';

const COST_TAG = 'SaaSR-G2-CostTag';

describe('SaaSR-G2-CostTag', () => {
  test('tags applied through Tags.of() and markPooled() count', () => {
    const stack = newStack();
    const pooled = new s3.Bucket(stack, 'Pooled');
    const siloed = new sqs.Queue(stack, 'AcmeJobs');
    markPooled(pooled);
    Tags.of(siloed).add('tenant_id', 'acme');
    expect(pathsFor(stack, COST_TAG)).toEqual([]);
  });

  test('a cost-bearing resource without the tag fails at its resource; free resources are not checked', () => {
    const stack = newStack();
    new s3.Bucket(stack, 'Bucket');
    new sqs.Queue(stack, 'Queue');
    new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(pathsFor(stack, COST_TAG)).toEqual(['S/Bucket/Resource', 'S/Queue/Resource']);
  });

  test('tags given as L1 properties count; an empty value does not', () => {
    const stack = newStack();
    new s3.CfnBucket(stack, 'Tagged', { tags: [{ key: 'tenant_id', value: 'shared' }] });
    new s3.CfnBucket(stack, 'Blank', { tags: [{ key: 'tenant_id', value: '' }] });
    expect(pathsFor(stack, COST_TAG)).toEqual(['S/Blank']);
  });

  test('TableV2 is checked through the tags of its replicas', () => {
    const stack = newStack();
    const key = { name: 'tenantId', type: dynamodb.AttributeType.STRING };
    const tagged = new dynamodb.TableV2(stack, 'Tagged', { partitionKey: key });
    new dynamodb.TableV2(stack, 'Untagged', { partitionKey: key });
    markPooled(tagged);
    expect(pathsFor(stack, COST_TAG)).toEqual(['S/Untagged/Resource']);
  });

  test('CDK-internal handlers that Tags.of() cannot tag are not applicable', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { autoDeleteObjects: true, removalPolicy: RemovalPolicy.DESTROY });
    markPooled(bucket);
    const paths = pathsFor(stack, COST_TAG);
    expect(stack.node.tryFindChild('Custom::S3AutoDeleteObjectsCustomResourceProvider')).toBeDefined();
    expect(paths).toEqual([]);
  });

  test('the tag key and the list of cost-bearing types are configurable', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const pooled = new s3.Bucket(stack, 'Pooled');
    new sqs.Queue(stack, 'Queue');
    Tags.of(bucket).add('customer', 'acme');
    markPooled(pooled, { key: 'customer', sharedValue: 'pool' });
    expect(pathsFor(stack, COST_TAG, { costTagKey: 'customer', costBearingTypes: ['AWS::S3::Bucket'] })).toEqual([]);
    expect(pathsFor(stack, COST_TAG, { costBearingTypes: ['AWS::S3::Bucket'] })).toEqual(['S/Bucket/Resource', 'S/Pooled/Resource']);
  });

  test('an acknowledgement silences the resource it is applied to only', () => {
    const stack = newStack();
    const scratch = new s3.Bucket(stack, 'Scratch');
    new s3.Bucket(stack, 'Uploads');
    Validations.of(scratch).acknowledge({ id: COST_TAG, reason: 'Build scratch space, billed to engineering.' });
    expect(pathsFor(stack, COST_TAG)).toEqual(['S/Uploads/Resource']);
  });
});
