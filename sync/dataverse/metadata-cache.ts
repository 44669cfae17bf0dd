/**
 * dataverse-ify's metadata cache, built from entities/ instead of fetched from an org: entity set
 * names for every table we reference (dataverse-ify otherwise falls back to a global Xrm.Utility and
 * fails), lookup navigation targets (a polymorphic lookup with several targets becomes
 * `<column>_<table>@odata.bind`, e.g. customerid_account) and attribute types where dataverse-ify's
 * conversion depends on them.
 */
import { setMetadataCache, type MetadataCache } from "dataverse-ify";
import type { EntityWebApiMetadata } from "dataverse-ify/lib/metadata/EntityWebApiMetadata";
import {
  COSELL_HEARTBEAT_COLUMNS,
  CoSellHeartbeatTable,
  COSELL_MAPPING_COLUMNS,
  CoSellMappingTable,
  CoSellSettingsTable,
  ContactColumns,
  OPPORTUNITY_COLUMNS,
  OpportunityStandardColumns,
  RegistrationTables,
  SdkMessageFilterColumns,
  StepColumns,
  StepImageColumns,
  Tables,
} from "../../entities";

type TableRef = { logicalName: string; entitySetName: string; primaryId: string };

function entity(table: TableRef, navigation: Record<string, string[]> = {}, attributeTypes: Record<string, string> = {}): EntityWebApiMetadata {
  return {
    typeName: `mscrm.${table.logicalName}`,
    logicalName: table.logicalName,
    collectionName: table.entitySetName,
    primaryIdAttribute: table.primaryId,
    attributeTypes,
    navigation,
  };
}

export function buildMetadataCache(): MetadataCache {
  const allTables: TableRef[] = [...Object.values(Tables), ...Object.values(RegistrationTables), CoSellSettingsTable, CoSellHeartbeatTable, CoSellMappingTable];
  const { opportunity, account, contact, transactionCurrency, systemUser } = Tables;
  const pccDates = Object.fromEntries(OPPORTUNITY_COLUMNS.filter((c) => c.type === "datetime").map((c) => [c.logicalName, "DateTime"]));
  return {
    entitySetNames: Object.fromEntries(allTables.map((table) => [table.logicalName, table.entitySetName])),
    entities: {
      [opportunity.logicalName]: entity(
        opportunity,
        {
          [OpportunityStandardColumns.transactionCurrency]: [transactionCurrency.logicalName],
          [OpportunityStandardColumns.parentAccount]: [account.logicalName],
          [OpportunityStandardColumns.parentContact]: [contact.logicalName],
          [OpportunityStandardColumns.customer]: [account.logicalName, contact.logicalName],
          // The owner navigation property is plain "ownerid" even though owners may be users or teams.
          [OpportunityStandardColumns.owner]: [systemUser.logicalName],
        },
        { [OpportunityStandardColumns.estimatedCloseDate]: "DateOnly:DateOnly", ...pccDates },
      ),
      [account.logicalName]: entity(account),
      [contact.logicalName]: entity(contact, { [ContactColumns.parentCustomer]: [account.logicalName, contact.logicalName] }),
      [transactionCurrency.logicalName]: entity(transactionCurrency),
      [systemUser.logicalName]: entity(systemUser),
      [RegistrationTables.serviceEndpoint.logicalName]: entity(RegistrationTables.serviceEndpoint),
      [RegistrationTables.sdkMessage.logicalName]: entity(RegistrationTables.sdkMessage),
      [RegistrationTables.sdkMessageFilter.logicalName]: entity(RegistrationTables.sdkMessageFilter, {
        [SdkMessageFilterColumns.message]: [RegistrationTables.sdkMessage.logicalName],
      }),
      [RegistrationTables.step.logicalName]: entity(RegistrationTables.step, {
        [StepColumns.message]: [RegistrationTables.sdkMessage.logicalName],
        [StepColumns.messageFilter]: [RegistrationTables.sdkMessageFilter.logicalName],
        // Polymorphic: a step's handler is a service endpoint (webhook) or a plug-in type.
        [StepColumns.eventHandler]: [RegistrationTables.serviceEndpoint.logicalName, RegistrationTables.pluginType.logicalName],
      }),
      [RegistrationTables.stepImage.logicalName]: entity(RegistrationTables.stepImage, {
        [StepImageColumns.step]: [RegistrationTables.step.logicalName],
      }),
      [RegistrationTables.solution.logicalName]: entity(RegistrationTables.solution),
      [CoSellSettingsTable.logicalName]: entity(CoSellSettingsTable),
      [CoSellHeartbeatTable.logicalName]: entity(
        CoSellHeartbeatTable,
        {},
        Object.fromEntries(COSELL_HEARTBEAT_COLUMNS.filter((c) => c.type === "datetime").map((c) => [c.logicalName, "DateTime"])),
      ),
      [CoSellMappingTable.logicalName]: entity(
        CoSellMappingTable,
        {},
        Object.fromEntries(COSELL_MAPPING_COLUMNS.filter((c) => c.type === "datetime").map((c) => [c.logicalName, "DateTime"])),
      ),
    },
  };
}

/** Installs the cache in dataverse-ify (it is module-global there); idempotent. */
/** Entity set name per logical name, for every table we reference. */
export function knownEntitySetNames(): Record<string, string> {
  return { ...buildMetadataCache().entitySetNames };
}

export function installMetadataCache(): void {
  setMetadataCache(buildMetadataCache());
}
