/**
 * Writes one of our own organization-owned tables (entities/cosell-*.ts) as a custom <Entity> of
 * customizations.xml: its primary key, primary name and columns, with the table settings Dataverse
 * exports for such a table. Dataverse adds the platform columns (createdon, statecode, ...) on import.
 * Used for the settings, field mapping and heartbeat tables.
 */
import type { Localized, TableColumnDefinition, TextColumn } from "../../entities";
import { writeAttribute } from "./attribute-xml";
import { localizedList, textElement, type XMLBuilder } from "./xml-helpers";

export interface CustomTable {
  readonly logicalName: string;
  readonly schemaName: string;
  readonly entitySetName: string;
  readonly primaryId: string;
  readonly displayName: Localized;
  readonly collectionName: Localized;
  readonly description: Localized;
}

export interface CustomTableSpec {
  readonly table: CustomTable;
  readonly nameColumn: TextColumn;
  readonly columns: readonly TableColumnDefinition[];
}

function writePrimaryKey(attributes: XMLBuilder, T: CustomTable, introducedVersion: string): void {
  const attribute = attributes.ele("attribute", { PhysicalName: `${T.schemaName}Id` });
  textElement(attribute, "Type", "primarykey");
  textElement(attribute, "Name", T.primaryId);
  textElement(attribute, "LogicalName", T.primaryId);
  textElement(attribute, "RequiredLevel", "systemrequired");
  textElement(attribute, "DisplayMask", "ValidForAdvancedFind|RequiredForGrid");
  textElement(attribute, "ValidForUpdateApi", 0);
  textElement(attribute, "ValidForReadApi", 1);
  textElement(attribute, "ValidForCreateApi", 1);
  textElement(attribute, "IsCustomField", 0);
  textElement(attribute, "IsAuditEnabled", 0);
  textElement(attribute, "IsSecured", 0);
  textElement(attribute, "IntroducedVersion", introducedVersion);
  textElement(attribute, "IsCustomizable", 0);
  textElement(attribute, "IsRenameable", 0);
  textElement(attribute, "CanModifySearchSettings", 1);
  textElement(attribute, "CanModifyRequirementLevelSettings", 0);
  textElement(attribute, "CanModifyAdditionalSettings", 1);
  textElement(attribute, "SourceType", 0);
  localizedList(attribute, "displaynames", "displayname", T.displayName);
  localizedList(attribute, "Descriptions", "Description", { 1033: "Unique identifier of the row.", 1040: "Identificatore univoco della riga." });
}

/**
 * Writes the <Entity> with its attributes and table settings; returns the <Entity> (to add FormXml,
 * SavedQueries) and its <entity> info element.
 */
export function writeCustomEntity(entities: XMLBuilder, spec: CustomTableSpec, introducedVersion: string): { entity: XMLBuilder; info: XMLBuilder } {
  const { table: T } = spec;
  const entity = entities.ele("Entity");
  entity.ele("Name", { LocalizedName: T.displayName[1033], OriginalName: T.displayName[1033] }).txt(T.schemaName);
  const info = entity.ele("EntityInfo").ele("entity", { Name: T.schemaName });
  localizedList(info, "LocalizedNames", "LocalizedName", T.displayName);
  localizedList(info, "LocalizedCollectionNames", "LocalizedCollectionName", T.collectionName);
  localizedList(info, "Descriptions", "Description", T.description);
  const attributes = info.ele("attributes");
  writePrimaryKey(attributes, T, introducedVersion);
  writeAttribute(attributes, spec.nameColumn, introducedVersion, { table: T.logicalName, primaryName: true });
  for (const column of spec.columns) writeAttribute(attributes, column, introducedVersion, { table: T.logicalName });
  textElement(info, "EntitySetName", T.entitySetName);
  textElement(info, "IsDuplicateCheckSupported", 0);
  textElement(info, "IsBusinessProcessEnabled", 0);
  textElement(info, "IsRequiredOffline", 0);
  textElement(info, "IsInteractionCentricEnabled", 0);
  textElement(info, "IsCollaboration", 0);
  textElement(info, "AutoRouteToOwnerQueue", 0);
  textElement(info, "IsConnectionsEnabled", 0);
  textElement(info, "IsDocumentManagementEnabled", 0);
  textElement(info, "AutoCreateAccessTeams", 0);
  textElement(info, "IsOneNoteIntegrationEnabled", 0);
  textElement(info, "IsKnowledgeManagementEnabled", 0);
  textElement(info, "IsSLAEnabled", 0);
  textElement(info, "IsDocumentRecommendationsEnabled", 0);
  textElement(info, "IsBPFEntity", 0);
  // Org-wide configuration: no owner; the service's role grants its access org-wide.
  textElement(info, "OwnershipTypeMask", "OrgOwned");
  textElement(info, "IsAuditEnabled", 1);
  textElement(info, "IsActivity", 0);
  textElement(info, "ActivityTypeMask", "");
  textElement(info, "IsActivityParty", 0);
  textElement(info, "IsReplicated", 0);
  textElement(info, "IsReplicationUserFiltered", 0);
  textElement(info, "IsMailMergeEnabled", 0);
  textElement(info, "IsVisibleInMobile", 0);
  textElement(info, "IsVisibleInMobileClient", 1);
  textElement(info, "IsReadOnlyInMobileClient", 0);
  textElement(info, "IsOfflineInMobileClient", 0);
  textElement(info, "DaysSinceRecordLastModified", 0);
  textElement(info, "MobileOfflineFilters", "");
  textElement(info, "IsMapiGridEnabled", 1);
  textElement(info, "IsReadingPaneEnabled", 1);
  textElement(info, "IsQuickCreateEnabled", 0);
  textElement(info, "IsCustomizable", 1);
  textElement(info, "IsRenameable", 1);
  textElement(info, "IsMappable", 1);
  textElement(info, "CanModifyAuditSettings", 1);
  textElement(info, "CanModifyMobileVisibility", 1);
  textElement(info, "CanModifyMobileClientVisibility", 1);
  textElement(info, "CanModifyMobileClientReadOnly", 1);
  textElement(info, "CanModifyMobileClientOffline", 1);
  textElement(info, "CanModifyConnectionSettings", 1);
  textElement(info, "CanModifyDuplicateDetectionSettings", 1);
  textElement(info, "CanModifyMailMergeSettings", 1);
  textElement(info, "CanModifyQueueSettings", 1);
  textElement(info, "CanCreateAttributes", 1);
  textElement(info, "CanCreateForms", 1);
  textElement(info, "CanCreateCharts", 1);
  textElement(info, "CanCreateViews", 1);
  textElement(info, "CanModifyAdditionalSettings", 1);
  textElement(info, "CanEnableSyncToExternalSearchIndex", 1);
  textElement(info, "EnforceStateTransitions", 0);
  textElement(info, "CanChangeHierarchicalRelationship", 1);
  textElement(info, "EntityHelpUrlEnabled", 0);
  textElement(info, "ChangeTrackingEnabled", 1);
  textElement(info, "CanChangeTrackingBeEnabled", 1);
  textElement(info, "IsEnabledForExternalChannels", 0);
  textElement(info, "HasRelatedNotes", "False");
  textElement(info, "HasRelatedActivities", "False");
  textElement(info, "IntroducedVersion", introducedVersion);
  return { entity, info };
}
