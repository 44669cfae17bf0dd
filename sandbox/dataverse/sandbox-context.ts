/** The state one sandbox instance shares between its modules. */
import type { EntityStore } from "./entity-store";
import type { SandboxClock } from "./sandbox-clock";
import type { SecurityRegistry } from "./security";
import type { SequentialGuidMinter } from "./sequential-guid";
import type { SchemaRegistry } from "./schema-registry";

export const API_PATH = "/api/data/v9.2";

export interface SandboxContext {
  schema: SchemaRegistry;
  store: EntityStore;
  /** Org URL, e.g. http://127.0.0.1:5123 (the Web API is at orgUrl + API_PATH). */
  orgUrl: string;
  /** The calling system user every request runs as (the backend's application user). */
  callerId: string;
  organizationId: string;
  organizationName: string;
  businessUnitId: string;
  /** The calling user's UI language: metadata's UserLocalizedLabel is in it (default 1033). */
  languageCode?: number;
  /** The org's clock (whole seconds, possibly offset from the backend's). */
  clock: SandboxClock;
  /** Mints the ids of new rows (sequential GUIDs). */
  ids: SequentialGuidMinter;
  /** Identities (one per bearer token), their roles and the privilege checks. */
  security: SecurityRegistry;
}

export const apiBase = (context: SandboxContext) => `${context.orgUrl}${API_PATH}`;
export const etagOf = (version: number) => `W/"${version}"`;
