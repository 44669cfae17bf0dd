/** The backend's Partner Center side: referral types, clients, token providers, webhook checks. */
export * from "./referral-types";
export * from "./partner-center-error";
export * from "./partner-center-http";
export * from "./referrals-client";
export * from "./webhook-registration-client";
export * from "./webhook-event";
export * from "./webhook-signature-verifier";
export * from "./token-provider";
export * from "./sign-in-health";
export * from "./next-link";
