import { SecretsManagerResolver } from '../../lambda/core/secrets';
import { setEnv } from '../standins/dynalite';
import { secretArn, startSecretsManager, type SecretsManagerStandIn } from '../standins/secretsmanager';

/** `${secret:…}` resolution through the real client against the contract stand-in (docs/contracts/secretsmanager.md). */
const EU_KEYS = secretArn('prod/openai', { region: 'eu-west-1', suffix: 'Qw3Er4' });
const LOCAL_DB = secretArn('prod/db');
let sm: SecretsManagerStandIn;
let restore: () => void;
beforeAll(async () => {
  sm = await startSecretsManager([
    { arn: EU_KEYS, value: '{"admin":"sk-admin-eu-secret-value"}' },
    { arn: LOCAL_DB, value: '{"password":"db-secret-value","port":5432}' },
    { arn: secretArn('prod/bytes'), value: Buffer.from('sk-binary') },
  ]);
  restore = setEnv({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSECRETS',
    AWS_SECRET_ACCESS_KEY: 'x',
    AWS_MAX_ATTEMPTS: '1',
  });
});
afterAll(async () => {
  restore();
  await sm.stop();
});

describe('${secret:…} against the Secrets Manager stand-in', () => {
  it("asks for a full ARN in the ARN's own Region, not the SDK's (SM-4)", async () => {
    await expect(new SecretsManagerResolver().resolve(`\${secret:${EU_KEYS}#admin}`)).resolves.toBe('sk-admin-eu-secret-value');
    expect(sm.regions.at(-1)).toBe('eu-west-1');
  });

  it("asks for a name or a partial ARN in the SDK's Region (SM-2)", async () => {
    const resolver = new SecretsManagerResolver();
    await expect(resolver.resolve('${secret:prod/db#password}')).resolves.toBe('db-secret-value');
    await expect(resolver.resolve(`\${secret:${LOCAL_DB.slice(0, -7)}#port}`)).resolves.toBe('5432');
    expect(sm.regions.slice(-2)).toEqual(['us-east-1', 'us-east-1']);
  });

  it('names a binary secret as such (SM-6) and a missing one by its id (SM-7), never a value', async () => {
    const resolver = new SecretsManagerResolver();
    await expect(resolver.resolve('${secret:prod/bytes}')).rejects.toThrow(/^cannot read secret prod\/bytes: it is a binary secret \(SecretBinary\)/);
    await expect(resolver.resolve('${secret:prod/none}')).rejects.toThrow(
      /^cannot read secret prod\/none: ResourceNotFoundException: Secrets Manager can't find the specified secret\./,
    );
  });
});
