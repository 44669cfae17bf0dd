/** The pure sync engine: mapping, merge, status rules, account matching, pre-flight and audit lines. No I/O. */
export * from "./engine-errors";
export * from "./mapped-fields";
export * from "./field-mapping.config";
export * from "./referral-status.mapping";
export * from "./opportunity-referral.mapping";
export * from "./account-customer.mapping";
export * from "./contact-team.mapping";
export * from "./account-matcher";
export * from "./field-clock";
export * from "./conflict-order";
export * from "./three-way-merge";
export * from "./referral-preflight";
export * from "./audit-trail";
export * from "./cosell-rules";
export * from "./conflict-notice";
