/** The Dataverse names and definitions shared by every part of the connector. */
export * from "./column-definition";
export * from "./publisher";
export * from "./option-sets";
export * from "./cosell-taxonomy";
export * from "./opportunity-columns";
export * from "./standard-tables";
export * from "./validate-columns";
export * from "./sync-triggers";
export * from "./cosell-settings";
export * from "./cosell-mapping";
export * from "./dataverse-id";
export * from "./conflict-notice";
export * from "./cosell-heartbeat";
