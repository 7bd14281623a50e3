import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { startSns, type SnsStandIn } from './sns';

/** The SNS stand-in holds to docs/contracts/notifications.md: one test per Publish rule, through the real SDK client. */
describe('SNS stand-in', () => {
  const TOPIC = 'arn:aws:sns:us-east-1:123456789012:changes';
  let sns: SnsStandIn;
  let client: SNSClient;
  beforeAll(async () => {
    sns = await startSns([TOPIC]);
    client = new SNSClient({ endpoint: sns.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await sns.close();
  });
  const publish = (input: Omit<ConstructorParameters<typeof PublishCommand>[0], 'TopicArn'> & { TopicArn?: string }) =>
    client.send(new PublishCommand({ TopicArn: TOPIC, ...input }));

  it('accepts a message with attributes and records it', async () => {
    await expect(
      publish({ Message: 'hello', Subject: 'Hi', MessageAttributes: { change: { DataType: 'String', StringValue: 'recovery' } } }),
    ).resolves.toMatchObject({ MessageId: expect.any(String) });
    expect(sns.published.at(-1)).toMatchObject({ message: 'hello', subject: 'Hi', attributes: { change: 'recovery' } });
  });

  it('refuses an unknown topic', async () => {
    await expect(publish({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:other', Message: 'x' })).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('refuses a message over 256 KB', async () => {
    await expect(publish({ Message: 'x'.repeat(256 * 1024 + 1) })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('refuses a subject of 100 characters or more, with a line break, or not ASCII', async () => {
    for (const Subject of ['s'.repeat(100), 'two\nlines', 'naïve'])
      await expect(publish({ Message: 'x', Subject })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('refuses MessageStructure=json without a string default entry', async () => {
    await expect(publish({ Message: JSON.stringify({ email: 'x' }), MessageStructure: 'json' })).rejects.toMatchObject({
      message: expect.stringMatching(/No default entry/),
    });
    await expect(publish({ Message: JSON.stringify({ default: 'x', email: 'y' }), MessageStructure: 'json' })).resolves.toBeDefined();
  });
});
