import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { redact } from '../../lambda/core/redact';
import { ParameterStoreResolver, RuntimeSecretResolver, type SecretResolver } from '../../lambda/core/secrets';
import { setEnv } from '../standins/dynalite';
import { describeWithMoto, startMoto, type MotoServer } from '../support/moto';
import { startSsmStandin, type SsmStandin } from '../standins/ssm';

/**
 * `${ssm:…}` references through the real @aws-sdk/client-ssm, against the GetParameter stand-in
 * (docs/contracts/ssm.md) and against moto. Every value read is registered for redaction.
 */
const AWS_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDSSMTEST', AWS_SECRET_ACCESS_KEY: 'ssm-test-signing-key', AWS_MAX_ATTEMPTS: '2' };
const noSecretsManager: SecretResolver = { resolve: async (v) => v, json: async () => ({}) };

describe('Parameter Store references (stand-in)', () => {
  let ssm: SsmStandin;
  let restore: () => void;
  beforeAll(async () => {
    ssm = await startSsmStandin({
      '/acme/datadog/api-key': { type: 'SecureString', versions: ['dd-param-api-key-v1', 'dd-param-api-key-v2'] },
      '/acme/probe/url': { type: 'String', versions: ['https://api.example.com/v1/ping'] },
      'plain-name': { type: 'StringList', versions: ['a,b,c'] },
    });
    restore = setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_SSM: ssm.url });
  });
  afterAll(async () => {
    restore();
    await ssm.close();
  });
  beforeEach(() => {
    ssm.answerWith = undefined;
    ssm.requests.length = 0;
  });
  const resolver = () => new RuntimeSecretResolver(noSecretsManager, new ParameterStoreResolver());

  it('reads a SecureString decrypted, a version by selector, a StringList and a name without a slash', async () => {
    const r = resolver();
    expect(await r.resolve('${ssm:/acme/datadog/api-key}')).toBe('dd-param-api-key-v2');
    expect(await r.resolve('${ssm:/acme/datadog/api-key:1}')).toBe('dd-param-api-key-v1');
    expect(await r.resolve('${ssm:plain-name}')).toBe('a,b,c');
    expect(await r.resolve('${ssm:arn:aws:ssm:us-east-1:123456789012:parameter/acme/probe/url}')).toBe('https://api.example.com/v1/ping');
    expect(ssm.requests.map((q) => JSON.parse(q.body).WithDecryption)).toEqual([true, true, true, true]);
  });

  it('replaces references embedded in a longer value, reads each name once, and redacts what it read', async () => {
    const r = resolver();
    const url = await r.resolve('https://api.example.com/v1/ping?api_key=${ssm:/acme/datadog/api-key}&again=${ssm:/acme/datadog/api-key}');
    expect(url).toBe('https://api.example.com/v1/ping?api_key=dd-param-api-key-v2&again=dd-param-api-key-v2');
    expect(ssm.requests).toHaveLength(1);
    expect(redact(`GET ${url}`)).not.toContain('dd-param-api-key-v2');
    expect(await r.resolve('no reference here')).toBe('no reference here');
  });

  it.each([
    ['a missing parameter', '${ssm:/acme/missing}', undefined, /^cannot read parameter \/acme\/missing: ParameterNotFound/],
    [
      'a missing version',
      '${ssm:/acme/datadog/api-key:9}',
      undefined,
      /^cannot read parameter \/acme\/datadog\/api-key:9: ParameterVersionNotFound: Systems Manager could not find version 9/,
    ],
    [
      'an answer without Parameter',
      '${ssm:/acme/probe/url}',
      { status: 200, body: '{}' },
      /malformed GetParameter response from Parameter Store: it has no Parameter$/,
    ],
    [
      'a Value that is a number',
      '${ssm:/acme/probe/url}',
      { status: 200, body: '{"Parameter":{"Name":"/acme/probe/url","Type":"String","Value":42}}' },
      /malformed GetParameter response from Parameter Store: Parameter\.Value is a number, not a string$/,
    ],
    [
      'an access denial',
      '${ssm:/acme/probe/url}',
      { status: 400, body: '{"__type":"AccessDeniedException","message":"not authorized to perform: ssm:GetParameter"}' },
      /^cannot read parameter \/acme\/probe\/url: AccessDeniedException: not authorized to perform: ssm:GetParameter \(HTTP 400\)$/,
    ],
  ])('%s: one line naming the parameter and the cause', async (_name, ref, answer, message) => {
    ssm.answerWith = answer;
    const t0 = Date.now();
    await expect(resolver().resolve(ref)).rejects.toThrow(message);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

describeWithMoto('Parameter Store references (moto)', () => {
  let moto: MotoServer;
  let restore: () => void;
  beforeAll(async () => {
    moto = await startMoto();
    restore = setEnv({ ...AWS_ENV, AWS_ENDPOINT_URL_SSM: moto.endpoint });
    const client = new SSMClient({});
    await client.send(new PutParameterCommand({ Name: '/acme/openai/admin-key', Type: 'SecureString', Value: 'sk-admin-moto-param' }));
    await client.send(new PutParameterCommand({ Name: '/acme/openai/admin-key', Type: 'SecureString', Value: 'sk-admin-moto-param-2', Overwrite: true }));
    client.destroy();
  }, 60_000);
  afterAll(async () => {
    restore?.();
    await moto?.stop();
  });

  it('reads the current value and a version, decrypted', async () => {
    const r = new RuntimeSecretResolver(noSecretsManager, new ParameterStoreResolver());
    expect(await r.resolve('${ssm:/acme/openai/admin-key}')).toBe('sk-admin-moto-param-2');
    expect(await r.resolve('${ssm:/acme/openai/admin-key:1}')).toBe('sk-admin-moto-param');
  });

  it('a missing parameter is named with ParameterNotFound', async () => {
    await expect(new ParameterStoreResolver().resolve('${ssm:/acme/nope}')).rejects.toThrow(/^cannot read parameter \/acme\/nope: ParameterNotFound/);
  });
});
