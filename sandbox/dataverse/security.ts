/**
 * Who is calling and what they may do. Each bearer token is one identity (a user or application
 * user) with security roles; every Web API request needs the privilege Dataverse checks for it
 * (prv<Action><Table>: prvReadOpportunity, prvCreateSdkMessageProcessingStep, ...), and a caller
 * without it gets the 403 Dataverse sends (0x80040220, naming the missing privilege). Roles come from
 * the platform (System Administrator: everything; System Customizer: customization) or from an
 * imported solution's <Roles>.
 */
import { ErrorCode, ODataError } from "./odata-error";

export const SYSTEM_ADMINISTRATOR = "System Administrator";
export const SYSTEM_CUSTOMIZER = "System Customizer";

/** The name tables go by in privilege names (the entity's schema name; systemuser is "User"). */
const PRIVILEGE_ENTITY: Record<string, string> = {
  opportunity: "Opportunity",
  account: "Account",
  contact: "Contact",
  transactioncurrency: "TransactionCurrency",
  systemuser: "User",
  serviceendpoint: "ServiceEndpoint",
  sdkmessage: "SdkMessage",
  sdkmessagefilter: "SdkMessageFilter",
  sdkmessageprocessingstep: "SdkMessageProcessingStep",
  sdkmessageprocessingstepimage: "SdkMessageProcessingStepImage",
  solution: "Solution",
  plugintype: "PluginType",
  opportunityclose: "Activity",
};

export type RecordAction = "Create" | "Read" | "Write" | "Delete";

/** A custom table's privileges carry its schema name as the solution spells it (prvReadpcc_CoSellSetting). */
export const recordPrivilege = (action: RecordAction, logicalName: string, schemaName?: string) =>
  `prv${action}${PRIVILEGE_ENTITY[logicalName] ?? schemaName ?? logicalName.charAt(0).toUpperCase() + logicalName.slice(1)}`;

const REGISTRATION_TABLES = ["serviceendpoint", "sdkmessageprocessingstep", "sdkmessageprocessingstepimage"];

/** A System Customizer customizes the org: registrations, metadata, solutions; and reads its data. */
const CUSTOMIZER_PRIVILEGES = new Set([
  ...REGISTRATION_TABLES.flatMap((table) => (["Create", "Read", "Write", "Delete"] as const).map((action) => recordPrivilege(action, table))),
  ...["sdkmessage", "sdkmessagefilter", "solution", "plugintype", "opportunity", "account", "contact", "transactioncurrency", "systemuser"].map((table) =>
    recordPrivilege("Read", table),
  ),
  "prvReadEntity",
  "prvWriteEntity",
  "prvReadAttribute",
  "prvImportCustomizations",
]);

export interface Identity {
  /** The system user the token signs in as. */
  userId: string;
  roles: string[];
}

export class SecurityRegistry {
  /** Role name → privilege names; `null` is every privilege. */
  private roles = new Map<string, Set<string> | null>([
    [SYSTEM_ADMINISTRATOR, null],
    [SYSTEM_CUSTOMIZER, CUSTOMIZER_PRIVILEGES],
  ]);
  private identities = new Map<string, Identity>();

  constructor(
    /** The user a token nobody declared signs in as (the org's application user). */
    private readonly defaultUserId: string,
    /** Roles of a token nobody declared. */
    private readonly defaultRoles: readonly string[],
  ) {}

  /** Adds or replaces a role (a solution import brings its roles). */
  defineRole(name: string, privileges: Iterable<string>): void {
    this.roles.set(name, new Set(privileges));
  }

  /** Declares what a token signs in as (the sandbox's stand-in for an app registration + application user). */
  assign(token: string, identity: Identity): void {
    this.identities.set(token, identity);
  }

  identityOf(token: string): Identity {
    let identity = this.identities.get(token);
    if (!identity) {
      identity = { userId: this.defaultUserId, roles: [...this.defaultRoles] };
      this.identities.set(token, identity);
    }
    return identity;
  }

  has(identity: Identity, privilege: string): boolean {
    return identity.roles.some((role) => {
      const privileges = this.roles.get(role);
      return privileges === null || (privileges?.has(privilege) ?? false);
    });
  }

  /** Throws Dataverse's privilege error when the identity lacks `privilege` on `logicalName`. */
  require(identity: Identity, privilege: string, logicalName: string, objectTypeCode = 0): void {
    if (this.has(identity, privilege)) return;
    const privilegeCount = identity.roles.reduce((count, role) => count + (this.roles.get(role)?.size ?? 0), 0);
    throw new ODataError(
      403,
      ErrorCode.MissingPrivilege,
      `Principal user (Id=${identity.userId}, type=8, roleCount=${identity.roles.length}, privilegeCount=${privilegeCount}, accessMode=4), ` +
        `is missing ${privilege} privilege on OTC=${objectTypeCode} for entity '${logicalName}'.`,
    );
  }
}

/** The bearer token of a request ("" when there is none; the app refuses those before any route). */
export function bearerToken(authorization: string | string[] | undefined): string {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  return /^Bearer\s+(\S+)/i.exec(value ?? "")?.[1] ?? "";
}
