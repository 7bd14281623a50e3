import { BatchImportFindingsCommand, GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { startSecurityHub, type SecurityHubStandIn } from './securityhub';

/** The stand-in holds to docs/contracts/security-hub.md: one test per rule, through the real SDK client. */
describe('Security Hub stand-in', () => {
  let hub: SecurityHubStandIn;
  let client: SecurityHubClient;
  const ARN = 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default';
  const valid = (over: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding => ({
    SchemaVersion: '2018-10-08',
    Id: 'f-1',
    ProductArn: ARN,
    GeneratorId: 'gen',
    AwsAccountId: '123456789012',
    Types: ['Software and Configuration Checks/SaaS Readiness/cost'],
    CreatedAt: '2026-11-28T08:00:00.000Z',
    UpdatedAt: '2026-11-28T08:00:00.000Z',
    Severity: { Label: 'HIGH' },
    Title: 'title',
    Description: 'description',
    Resources: [{ Type: 'Other', Id: 'r' }],
    ...over,
  });
  const put = (...findings: AwsSecurityFinding[]) => client.send(new BatchImportFindingsCommand({ Findings: findings }));
  const reason = async (f: AwsSecurityFinding) => (await put(f)).FailedFindings?.[0]?.ErrorMessage;

  beforeAll(async () => {
    hub = await startSecurityHub();
    client = new SecurityHubClient({
      endpoint: hub.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await hub.close();
  });
  beforeEach(() => hub.findings.clear());

  it('accepts a finding with every required attribute', async () => {
    await expect(put(valid())).resolves.toMatchObject({ SuccessCount: 1, FailedCount: 0 });
  });

  it.each([
    'AwsAccountId',
    'CreatedAt',
    'Description',
    'GeneratorId',
    'Id',
    'ProductArn',
    'Resources',
    'SchemaVersion',
    'Severity',
    'Title',
    'Types',
    'UpdatedAt',
  ] as const)('refuses a finding without %s', async (key) => {
    const f = valid();
    delete f[key];
    await expect(reason(f)).resolves.toBe(`missing required attribute ${key}`);
  });

  it('refuses a SchemaVersion other than 2018-10-08', async () => {
    await expect(reason(valid({ SchemaVersion: '2020-01-01' }))).resolves.toMatch(/SchemaVersion/);
  });

  it('refuses a Title over 256 and a Description over 1024 characters', async () => {
    await expect(reason(valid({ Title: 'x'.repeat(257) }))).resolves.toMatch(/Title/);
    await expect(reason(valid({ Description: 'x'.repeat(1025) }))).resolves.toMatch(/Description/);
  });

  it("refuses a product ARN that is not the calling account's custom product", async () => {
    await expect(reason(valid({ ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/aws/guardduty' }))).resolves.toMatch(/custom product/);
  });

  it('refuses findings of another account', async () => {
    await expect(reason(valid({ AwsAccountId: '210987654321' }))).resolves.toMatch(/not the calling account/);
  });

  it('refuses a Types entry outside the documented namespaces', async () => {
    await expect(reason(valid({ Types: ['Readiness/Checks'] }))).resolves.toMatch(/namespace/);
  });

  it('refuses timestamps that are not ISO 8601', async () => {
    await expect(reason(valid({ UpdatedAt: 'yesterday' }))).resolves.toMatch(/UpdatedAt/);
  });

  it('refuses unknown Severity.Label, Compliance.Status and RecordState values', async () => {
    await expect(reason(valid({ Severity: { Label: 'SEVERE' as 'HIGH' } }))).resolves.toMatch(/Severity/);
    await expect(reason(valid({ Compliance: { Status: 'OK' as 'PASSED' } }))).resolves.toMatch(/Compliance/);
    await expect(reason(valid({ RecordState: 'DELETED' as 'ACTIVE' }))).resolves.toMatch(/RecordState/);
  });

  it('refuses a finding over 240 KB and keeps the rest of the batch', async () => {
    const res = await put(valid({ Id: 'big', Description: 'x', ProductFields: { blob: 'y'.repeat(250 * 1024) } }), valid({ Id: 'small' }));
    expect(res).toMatchObject({ SuccessCount: 1, FailedCount: 1, FailedFindings: [{ Id: 'big', ErrorMessage: expect.stringMatching(/240 KB/) }] });
  });

  it('refuses a request of more than 100 findings', async () => {
    const many = Array.from({ length: 101 }, (_, i) => valid({ Id: `f-${i}` }));
    await expect(put(...many)).rejects.toMatchObject({ name: 'InvalidInputException', message: expect.stringMatching(/maximum is 100/) });
  });

  it('updates a finding with the same Id and ProductArn instead of adding one, and keeps its Workflow', async () => {
    await put(valid({ Workflow: { Status: 'NEW' } }));
    await put(valid({ Title: 'updated', RecordState: 'ARCHIVED', Workflow: { Status: 'RESOLVED' } }));
    expect(hub.findings.size).toBe(1);
    expect([...hub.findings.values()][0]).toMatchObject({ Title: 'updated', RecordState: 'ARCHIVED', Workflow: { Status: 'NEW' } });
  });

  it('lists findings by EQUALS filters, 100 at most per page, with a NextToken', async () => {
    for (let i = 0; i < 3; i++) await put(...Array.from({ length: 50 }, (_, j) => valid({ Id: `f-${i}-${j}` })));
    const first = await client.send(new GetFindingsCommand({ Filters: { ProductArn: [{ Value: ARN, Comparison: 'EQUALS' }] }, MaxResults: 100 }));
    expect(first.Findings).toHaveLength(100);
    const second = await client.send(
      new GetFindingsCommand({ Filters: { ProductArn: [{ Value: ARN, Comparison: 'EQUALS' }] }, MaxResults: 100, NextToken: first.NextToken }),
    );
    expect(second.Findings).toHaveLength(50);
    expect(second.NextToken).toBeUndefined();
  });

  it('answers only requests signed for securityhub in its region', async () => {
    const other = new SecurityHubClient({
      endpoint: hub.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(other.send(new BatchImportFindingsCommand({ Findings: [valid()] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    other.destroy();
  });
});
