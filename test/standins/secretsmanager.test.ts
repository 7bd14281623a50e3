import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretArn, startSecretsManager, type SecretsManagerStandIn } from './secretsmanager';

/** The Secrets Manager stand-in against docs/contracts/secretsmanager.md, one test per rule, through the real SDK client. */
const APP = secretArn('prod/app-db');
const EU = secretArn('prod/openai', { region: 'eu-west-1', suffix: 'Zz9Yy8' });
const BINARY = secretArn('prod/binary');
const GONE = secretArn('prod/gone');
const LOCKED = secretArn('prod/locked');
let sm: SecretsManagerStandIn;
const clients: SecretsManagerClient[] = [];
const client = (region = 'us-east-1') => {
  const c = new SecretsManagerClient({ region, endpoint: sm.endpoint, credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'x' }, maxAttempts: 1 });
  clients.push(c);
  return c;
};
const get = (id: string, region?: string, extra: { VersionStage?: string } = {}) => client(region).send(new GetSecretValueCommand({ SecretId: id, ...extra }));
const refusal = (id: string, region?: string) =>
  get(id, region).then(
    () => undefined,
    (e: { name: string; message: string }) => e,
  );

beforeAll(async () => {
  sm = await startSecretsManager([
    { arn: APP, value: '{"password":"pw-1","port":5432}' },
    { arn: EU, value: 'sk-admin-eu' },
    { arn: BINARY, value: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
    { arn: GONE, value: 'x', deleted: true },
    { arn: LOCKED, value: 'x', undecryptable: true },
  ]);
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await sm.stop();
});

describe('Secrets Manager stand-in (docs/contracts/secretsmanager.md) through the real SDK client', () => {
  it('SM-1: AWS JSON 1.1, X-Amz-Target secretsmanager.GetSecretValue, signed for secretsmanager', async () => {
    await get(APP);
    expect(sm.requests.at(-1)).toBe(`secretsmanager.GetSecretValue ${APP}`);
    const raw = await fetch(sm.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' },
      body: '{}',
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('SM-2: SecretId is the ARN, the partial ARN or the name', async () => {
    for (const id of [APP, APP.slice(0, -7), 'prod/app-db']) expect((await get(id)).ARN).toBe(APP);
  });

  it('SM-3: names hold letters, digits and /_+=.@-, the ARN adds -XXXXXX: no # or } in either', () => {
    expect(APP).toBe('arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/app-db-AbCdEf');
    expect(APP).not.toMatch(/[#}]/);
  });

  it("SM-4: a secret is found only through its own Region's endpoint, even by full ARN", async () => {
    expect(await refusal(EU, 'us-east-1')).toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    expect((await get(EU, 'eu-west-1')).SecretString).toBe('sk-admin-eu');
  });

  it('SM-5: without a version the AWSCURRENT version is returned', async () => {
    expect((await get(APP)).VersionStages).toEqual(['AWSCURRENT']);
    expect((await get(APP, undefined, { VersionStage: 'AWSCURRENT' })).SecretString).toBe('{"password":"pw-1","port":5432}');
  });

  it('SM-6: the value is in SecretString or in SecretBinary (bytes), never both', async () => {
    const text = await get(APP);
    expect(text.SecretBinary).toBeUndefined();
    const bin = await get(BINARY);
    expect(bin.SecretString).toBeUndefined();
    expect(Buffer.from(bin.SecretBinary!).toString('hex')).toBe('deadbeef');
  });

  it('SM-7: modeled errors: not found, scheduled for deletion, undecryptable', async () => {
    expect(await refusal(secretArn('prod/none'))).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(await refusal(GONE)).toMatchObject({ name: 'InvalidRequestException', message: expect.stringMatching(/marked for deletion/) });
    expect(await refusal(LOCKED)).toMatchObject({ name: 'DecryptionFailure' });
  });
});
