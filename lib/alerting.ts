import { AlarmRule, CompositeAlarm, type IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface ReadinessAlertingProps {
  readonly suite: string;
  /** The per-gate alarms; the suite is not ready when any of them is in ALARM. */
  readonly alarms: readonly IAlarm[];
  /**
   * Email addresses subscribed to the topic (each must confirm the subscription).
   * @default - none
   */
  readonly emails?: readonly string[];
}

/**
 * One "not ready" composite alarm over the gate alarms, notifying an encrypted SNS topic when
 * readiness is lost and again when it is back. Gate alarms notify nobody themselves: one page per
 * incident, with the gates named on the dashboard.
 */
export class ReadinessAlerting extends Construct {
  readonly topic: Topic;
  readonly notReady: CompositeAlarm;

  constructor(scope: Construct, id: string, props: ReadinessAlertingProps) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', {
      description: `saas-readiness ${props.suite}: encrypts the readiness alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch alarms cannot publish to a topic under the AWS-managed SNS key: it needs this grant.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', {
      displayName: `Readiness of ${props.suite}`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    acknowledge(
      this.topic,
      'Serverless-SNSRedrivePolicy',
      'Subscriptions are email addresses: SNS retries undeliverable email itself and a dead-letter queue would only hold copies of alarm notifications whose state stays visible on the dashboard and in the alarm history.',
    );

    this.notReady = new CompositeAlarm(this, 'NotReady', {
      compositeAlarmName: `${props.suite}-not-ready`,
      alarmDescription: `${props.suite} is NOT READY: at least one readiness gate is failing, in error, skipped or not reporting. The dashboard ${props.suite}-readiness shows which and why.`,
      alarmRule: AlarmRule.anyOf(...props.alarms),
    });
    const action = new SnsAction(this.topic);
    this.notReady.addAlarmAction(action);
    this.notReady.addOkAction(action);
  }
}
