import { Alias } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface ReadinessChangeNotificationsProps {
  readonly suite: string;
  /**
   * Email addresses subscribed to the topic (each must confirm).
   * @default - none
   */
  readonly emails?: readonly string[];
}

/**
 * The topic each gate function tells when its result changed since its previous run of the same
 * kind — a gate or criterion newly failing or recovered, a tenant crossing the cost tolerance —
 * and never otherwise. Subscribe email, an AWS Chatbot / Amazon Q Developer channel (the messages
 * are its custom-notification format), SQS or Lambda to it.
 */
export class ReadinessChangeNotifications extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: ReadinessChangeNotificationsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: `Readiness changes of ${props.suite}`,
      // Only the gate functions publish here (no CloudWatch alarm), so the AWS managed key serves:
      // no key of our own to pay for.
      masterKey: Alias.fromAliasName(this, 'AwsManagedSnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    acknowledge(
      this.topic,
      'Serverless-SNSRedrivePolicy',
      'Change notifications are informational copies of what the history table and the reports already hold; a dead-letter queue would only keep copies of them.',
    );
  }
}
