import type { CfnResource, IPolicyValidationContext } from 'aws-cdk-lib';
import { NagPack, NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { acknowledgementReason, acknowledgementReasons } from './acknowledgements';
import { createRuleContext } from './context';
import type { ReadinessRule, ReadinessRuleInfo, RuleContext } from './rule';
import { GATES } from '../../lambda/gates';
import { READINESS_RULES } from './rules';
import { type ReadinessSettings, resolveSettings, type SaaSReadinessProps } from './settings';
import { SARIF_CONTEXT_KEY, writeSarifFromPack } from './sarif';

/** A finding that an acknowledgement with a reason silences (reported as a suppression in SARIF). */
export interface AcknowledgedFinding {
  readonly ruleId: string;
  readonly rule: ReadinessRuleInfo;
  readonly node: CfnResource;
  readonly reason: string;
}

/** Prefix of every rule id of the pack: findings read `SaaSR-<rule id>`, e.g. `SaaSR-G2-CostTag`. */
export const READINESS_PACK_PREFIX = 'SaaSR';
/** Name of the validation plugin in CDK's report; CDK's suggested `<name>::<rule id>` acknowledgements work too. */
export const READINESS_PLUGIN_NAME = 'SaaSReadinessChecks';

/**
 * cdk-nag pack that fails synthesis when the infrastructure cannot meet a readiness gate.
 *
 * `Validations.of(app).addPlugins(new SaaSReadinessChecks(app, props))`
 *
 * The pack only composes the rules in `./rules`. It adds one thing to cdk-nag's handling of
 * acknowledgements: a finding acknowledged with a blank reason is reported as
 * `SaaSR-AckReason[<finding id>]` instead of being silenced.
 */
export class SaaSReadinessChecks extends NagPack {
  public readonly name = READINESS_PLUGIN_NAME;
  public readonly ruleIds: string[];
  /** The gates this pack's rules are grouped by: the registered ones. */
  public readonly gateNames: readonly string[];
  /** Every rule the pack composes: its own and those given in its props. */
  public readonly rules: readonly ReadinessRule[];
  private readonly settings: ReadinessSettings;
  private context: RuleContext;
  /** Findings of the last validation that were acknowledged with a reason. */
  public acknowledged: AcknowledgedFinding[] = [];

  constructor(scope?: IConstruct, props: SaaSReadinessProps = {}) {
    super(scope, props);
    this.packName = READINESS_PACK_PREFIX;
    this.settings = resolveSettings(props);
    this.context = createRuleContext(this.settings);
    this.gateNames = (props.gates ?? GATES).map((g) => g.id);
    this.rules = [...READINESS_RULES, ...(props.rules ?? [])];
    for (const rule of this.rules) {
      if (!this.gateNames.includes(rule.gate))
        throw new Error(`rule ${rule.id} names gate '${rule.gate}', which is not registered (gates: ${this.gateNames.join(', ')})`);
    }
    this.ruleIds = [...this.rules, acknowledgementReason].map((rule) => `${READINESS_PACK_PREFIX}-${rule.id}`);
  }

  /** Validates `scope` with fresh cross-resource indexes (the tree may have changed since the last run). */
  public validateScope(scope: IConstruct) {
    this.context = createRuleContext(this.settings);
    this.acknowledged = [];
    return super.validateScope(scope);
  }

  /**
   * As a validation plugin during synth; with the context key `saas-readiness:sarif` set to a file
   * path, it also writes the findings and acknowledgements there as a SARIF log.
   */
  public validate(context: IPolicyValidationContext) {
    const report = super.validate(context);
    const file = context.appConstruct.node.tryGetContext(SARIF_CONTEXT_KEY);
    if (typeof file === 'string' && file) writeSarifFromPack(this, report, context.appConstruct, context.templatePaths, file);
    return report;
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of this.rules) this.applyReadinessRule(rule, node);
  }

  private applyReadinessRule(rule: ReadinessRule, node: CfnResource): void {
    let result: NagRuleResult;
    try {
      result = rule.check(node, this.context);
    } catch (error) {
      this.report(rule, node, () => {
        throw error;
      });
      return;
    }
    if (result === NagRuleCompliance.COMPLIANT || result === NagRuleCompliance.NOT_APPLICABLE) return;

    const ruleId = `${READINESS_PACK_PREFIX}-${rule.id}`;
    const findings = result === NagRuleCompliance.NON_COMPLIANT ? [undefined] : result;
    const open: (string | undefined)[] = [];
    const acknowledgedWithoutReason: string[] = [];
    for (const finding of findings) {
      const id = finding === undefined ? ruleId : `${ruleId}[${finding}]`;
      const reasons = acknowledgementReasons(node, id, this.name);
      if (reasons.length === 0) open.push(finding);
      else if (reasons.every((reason) => reason.trim() === '')) acknowledgedWithoutReason.push(id);
      else this.acknowledged.push({ ruleId: id, rule, node, reason: reasons.find((reason) => reason.trim() !== '')! });
    }

    const named = open.filter((finding): finding is string => finding !== undefined);
    if (named.length < open.length) this.report(rule, node, () => NagRuleCompliance.NON_COMPLIANT);
    if (named.length > 0) this.report(rule, node, () => named);
    if (acknowledgedWithoutReason.length > 0) {
      this.report(acknowledgementReason, node, () => acknowledgedWithoutReason);
    }
  }

  /** Hands an already evaluated result to cdk-nag, which formats and records the violation. */
  private report(rule: ReadinessRuleInfo, node: CfnResource, result: () => NagRuleResult): void {
    this.applyRule({
      ruleSuffixOverride: rule.id,
      info: `${rule.info} Fix: ${rule.fix}`,
      explanation: rule.explanation,
      level: rule.level,
      node,
      rule: result,
    });
  }
}
