import { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { NagMessageLevel, NagRuleCompliance } from 'cdk-nag';
import { referencedLogicalId, resolved } from '../../resources';
import type { ReadinessRule } from '../../rule';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation property values are untyped once tokens are resolved
function isThrottle(settings: any): boolean {
  return settings?.throttlingRateLimit !== undefined && settings?.throttlingBurstLimit !== undefined;
}

/** API Gateway v2 (HTTP and WebSocket) stages throttle the default route, or every route of the API. */
export const httpApiThrottle: ReadinessRule = {
  id: 'G1-HttpApiThrottle',
  gate: 'tenants',
  level: NagMessageLevel.ERROR,
  info: 'The HTTP/WebSocket API stage has no route throttling (default route settings or settings for every route).',
  explanation:
    'HTTP APIs have no usage plans; stage route throttling is their only rate limit. Without it one tenant can exhaust the account-level limit for all tenants.',
  fix: 'Set throttle: { rateLimit, burstLimit } on the HttpStage (DefaultRouteSettings.ThrottlingRateLimit/ThrottlingBurstLimit), or RouteSettings for every route.',
  check(node, context) {
    if (!(node instanceof CfnStage)) return NagRuleCompliance.NOT_APPLICABLE;
    if (isThrottle(resolved(node, node.defaultRouteSettings))) return NagRuleCompliance.COMPLIANT;
    const routeSettings = resolved(node, node.routeSettings) ?? {};
    const apiId = referencedLogicalId(resolved(node, node.apiId));
    const routeKeys = (apiId && context.indexOf(node).routeKeysByApi.get(apiId)) || [];
    return routeKeys.length > 0 && routeKeys.every((routeKey) => isThrottle(routeSettings[routeKey]))
      ? NagRuleCompliance.COMPLIANT
      : NagRuleCompliance.NON_COMPLIANT;
  },
};
