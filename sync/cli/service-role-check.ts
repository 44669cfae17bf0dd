/**
 * Does the service's own identity hold the role it needs? Reads one row of each table the role lets
 * it read (and the opportunity's definition): a refusal names the missing privilege. Writes are not
 * tried (they would change the org); the reads fail the same way when the role is not assigned.
 */
import { Tables } from "../../entities";
import type { DataverseClient } from "../dataverse/dataverse-client";
import { missingPrivilege } from "./admin-identity";

const PROBES = [
  `${Tables.opportunity.entitySetName}?$select=${Tables.opportunity.primaryId}&$top=1`,
  `${Tables.account.entitySetName}?$select=${Tables.account.primaryId}&$top=1`,
  `${Tables.contact.entitySetName}?$select=${Tables.contact.primaryId}&$top=1`,
  `${Tables.transactionCurrency.entitySetName}?$select=${Tables.transactionCurrency.primaryId}&$top=1`,
  `${Tables.systemUser.entitySetName}?$select=${Tables.systemUser.primaryId}&$top=1`,
  `EntityDefinitions(LogicalName='${Tables.opportunity.logicalName}')?$select=LogicalName`,
];

/** The privileges the service's identity was refused (empty: every probe passed). */
export async function missingServicePrivileges(service: DataverseClient): Promise<string[]> {
  const missing: string[] = [];
  for (const probe of PROBES) {
    try {
      await service.transport.call("GET", probe);
    } catch (error) {
      const privilege = missingPrivilege(error);
      if (!privilege) throw error;
      missing.push(privilege);
    }
  }
  return missing;
}
