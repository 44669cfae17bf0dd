/** The page warns this long before the Partner Center sign-in dies unused, as the service's log does (sign-in-health.ts). */
export const SIGN_IN_WARNING_MS = 7 * 24 * 60 * 60 * 1000;
