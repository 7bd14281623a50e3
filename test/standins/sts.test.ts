import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { startSts, type StsStandIn } from './sts';

/** The STS stand-in against docs/contracts/sts.md, one test per rule, through the real @aws-sdk/client-sts. */
const ROLE = 'arn:aws:iam::999999999999:role/cost-reader';
const OPEN_ROLE = 'arn:aws:iam::999999999999:role/open-reader';
let sts: StsStandIn;
let client: STSClient;
beforeAll(async () => {
  sts = await startSts({
    roles: [
      { arn: ROLE, externalId: 'ext-123', maxSessionSeconds: 3600 },
      { arn: OPEN_ROLE, trustedAccessKeys: ['AKIDSTANDIN'] },
    ],
  });
  client = new STSClient({
    region: 'us-east-1',
    endpoint: sts.endpoint,
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'standin' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await sts.stop();
});

const input: AssumeRoleCommandInput = { RoleArn: ROLE, RoleSessionName: 'saas-readiness-cost', DurationSeconds: 900, ExternalId: 'ext-123' };
const assume = (over: Partial<AssumeRoleCommandInput>) => client.send(new AssumeRoleCommand({ ...input, ...over } as AssumeRoleCommandInput));
const refusal = (over: Partial<AssumeRoleCommandInput>) =>
  assume(over).then(
    () => undefined,
    (e: { name: string; message: string; $metadata: { httpStatusCode?: number } }) => e,
  );

describe('STS stand-in (docs/contracts/sts.md) through the real SDK client', () => {
  it('STS-1: query protocol: a form POST with Action=AssumeRole and Version=2011-06-15, XML answers', async () => {
    const out = await assume({});
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const call = sts.calls.at(-1)!;
    expect(call.get('Action')).toBe('AssumeRole');
    expect(call.get('Version')).toBe('2011-06-15');
    const raw = await fetch(sts.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(raw.status).toBe(403);
    expect(await raw.text()).toMatch(
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
    );
  });

  it('STS-2: the SDK resolves a regional endpoint, sts.<region>.amazonaws.com', async () => {
    const eu = new STSClient({ region: 'eu-west-1' });
    const resolved = await eu.config.endpointProvider({ Region: 'eu-west-1', UseFIPS: false, UseDualStack: false, UseGlobalEndpoint: false });
    eu.destroy();
    expect(resolved.url.href).toBe('https://sts.eu-west-1.amazonaws.com/');
  });

  it('STS-3: RoleArn must be 20–2048 characters', async () => {
    expect(await refusal({ RoleArn: 'arn:aws:iam::1:r' })).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
  });

  it('STS-4: RoleSessionName is 2–64 characters of [\\w+=,.@-]', async () => {
    expect(await refusal({ RoleSessionName: 'saas readiness' })).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/roleSessionName/) });
    expect(await refusal({ RoleSessionName: 'x' })).toMatchObject({ name: 'ValidationError' });
  });

  it("STS-5: DurationSeconds is 900–43200 and within the role's maximum", async () => {
    expect(await refusal({ DurationSeconds: 600 })).toMatchObject({ name: 'ValidationError' });
    expect(await refusal({ DurationSeconds: 7200 })).toMatchObject({ name: 'ValidationError', message: /MaxSessionDuration/ });
    expect((await assume({ DurationSeconds: 3600 })).Credentials).toBeDefined();
  });

  it('STS-6: ExternalId is 2–1224 characters of [\\w+=,.@:/-]; a wrong one is AccessDenied', async () => {
    expect(await refusal({ ExternalId: 'ext 123' })).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/externalId/) });
    expect(await refusal({ ExternalId: 'ext-999' })).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  });

  it('STS-7: the credentials carry AccessKeyId, SecretAccessKey, SessionToken and an ISO 8601 Expiration', async () => {
    const before = Date.now();
    const { Credentials } = await assume({});
    expect(Credentials).toMatchObject({ AccessKeyId: expect.any(String), SecretAccessKey: expect.any(String), SessionToken: expect.any(String) });
    expect(Credentials!.Expiration!.getTime()).toBeGreaterThanOrEqual(before + 899_000);
  });

  it('STS-8: an untrusted caller gets AccessDenied (HTTP 403) naming the role', async () => {
    const other = new STSClient({
      region: 'us-east-1',
      endpoint: sts.endpoint,
      credentials: { accessKeyId: 'AKIDOTHER', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const err = await other.send(new AssumeRoleCommand({ RoleArn: OPEN_ROLE, RoleSessionName: 's1' })).then(
      () => undefined,
      (e) => e,
    );
    other.destroy();
    expect(err).toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:iam::111111111111:user/AKIDOTHER is not authorized to perform: sts:AssumeRole on resource: ${OPEN_ROLE}`,
    });
  });
});
