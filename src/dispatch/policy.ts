/**
 * The claim policy: rules evaluated BEFORE a claim is attempted. A ticket a rule refuses is
 * `skipped_policy` with the rule's name; it never reaches the compare-and-set, so it can never be
 * mistaken for a claim conflict.
 */
export interface PolicyConfig {
  /** Assignees that are agents: a ticket assigned to anyone else belongs to a person. */
  readonly agentIdentities: readonly string[];
  readonly excludedCampaigns: readonly string[];
  readonly excludedLabels: readonly string[];
}

export interface PolicyFacts {
  readonly assignee: string | null;
  readonly campaign: string | null;
  readonly labels: readonly string[];
}

export type PolicyVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string; readonly message: string };

type Rule = (facts: PolicyFacts, config: PolicyConfig) => PolicyVerdict;

const allow: PolicyVerdict = { allowed: true };

export const assignedToHuman: Rule = (facts, config) =>
  facts.assignee && !config.agentIdentities.includes(facts.assignee)
    ? {
        allowed: false,
        rule: "assigned_to_human",
        message: `assigned to ${facts.assignee}, who is not an agent`,
      }
    : allow;

export const excludedCampaign: Rule = (facts, config) =>
  facts.campaign && config.excludedCampaigns.includes(facts.campaign)
    ? { allowed: false, rule: "excluded_campaign", message: `campaign ${facts.campaign} is not for agents` }
    : allow;

export const excludedLabel: Rule = (facts, config) => {
  const label = facts.labels.find((l) => config.excludedLabels.includes(l));
  return label ? { allowed: false, rule: "excluded_label", message: `labelled ${label}` } : allow;
};

export const POLICY_RULES: readonly Rule[] = [assignedToHuman, excludedCampaign, excludedLabel];

/** The first rule that refuses the ticket, or allowed. */
export function evaluatePolicy(facts: PolicyFacts, config: PolicyConfig): PolicyVerdict {
  for (const rule of POLICY_RULES) {
    const verdict = rule(facts, config);
    if (!verdict.allowed) return verdict;
  }
  return allow;
}
