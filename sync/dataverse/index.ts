/** The backend's Dataverse client: typed rows over dataverse-ify and a transport of our own. */
export * from "./dataverse-client";
export * from "./dataverse-error";
export * from "./fetch-transport";
export * from "./metadata-cache";
export { odataString } from "./odata-rows";
export * from "./records";
export * from "./request-limiter";
export * from "./token-provider";
export * from "./webhook-registration";
