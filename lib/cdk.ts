/**
 * The CDK entry point of the package: the readiness stack and its constructs, for a user's own
 * CDK app (`import { ReadinessStack } from 'saas-readiness/cdk'`). Needs aws-cdk-lib.
 */
export { ReadinessStack, type ReadinessStackProps } from './readiness-stack';
export { ReadinessGateFunction, type ReadinessGateFunctionProps, type VpcPlacement } from './gate-function';
export { ReadinessResults, type ReadinessResultsProps } from './results-store';
export { ReadinessAlerting, type ReadinessAlertingProps } from './alerting';
export { ReadinessDashboard, type ReadinessDashboardProps } from './dashboard';
export { addReadinessStack } from './readiness-app';
export { ReadinessHook, type ReadinessHookProps, type ReadinessDeployHookOptions } from './readiness-hook';
