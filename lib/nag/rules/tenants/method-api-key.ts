import { CfnMethod } from 'aws-cdk-lib/aws-apigateway';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { isTrue, resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

/** Every REST API method except CORS preflight (OPTIONS) requires an API key. */
export const methodApiKey: ReadinessRule = {
  id: 'G1-MethodApiKey',
  gate: 'tenants',
  level: NagMessageLevel.ERROR,
  info: "The REST API method does not require an API key, so calls to it are not counted against any tenant's usage plan.",
  explanation:
    "API Gateway applies a usage plan's quota and throttling only to requests that present an API key bound to the plan. A method without apiKeyRequired is outside every tenant's quota.",
  fix: 'Set apiKeyRequired: true on the method, or defaultMethodOptions: { apiKeyRequired: true } on the RestApi.',
  check(node) {
    if (!(node instanceof CfnMethod) || resolved(node, node.httpMethod) === 'OPTIONS') {
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    return isTrue(node, node.apiKeyRequired) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  },
};
