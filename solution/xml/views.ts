/**
 * The three system views the solution adds to opportunity. Each is defined as data (columns,
 * filter) and written as a <savedquery> with its FetchXML and grid layout, so the list of views
 * and the columns they show can be read in one place. Custom tables' default views (the mapping
 * rows) are written by the same writeSavedQuery.
 */
import {
  OpportunityColumns as C,
  OpportunityStandardColumns as S,
  ReferralDirection,
  SyncStatus,
  Tables,
  type Localized,
} from "../../entities";
import { localizedList, textElement, type XMLBuilder } from "./xml-helpers";

interface ViewCondition {
  attribute: string;
  operator: "eq" | "in";
  values: readonly (string | number)[];
}

export interface ViewDefinition {
  id: string;
  names: Localized;
  descriptions: Localized;
  columns: readonly { name: string; width: number }[];
  conditions: readonly ViewCondition[];
  orderBy: { attribute: string; descending: boolean };
  /** The table the view lists (default: opportunity, with its name column as the grid's link). */
  table?: ViewTable;
  /** The table's default view, which admins cannot delete (default: an extra view that they can). */
  isDefault?: boolean;
}

/**
 * A custom table has no objectTypeCode to give: its type code differs from org to org, so its view
 * has no returnedtypecode and the FetchXML alone names the table.
 */
export interface ViewTable {
  logicalName: string;
  primaryId: string;
  /** The column the grid links to the row. */
  nameColumn: string;
  objectTypeCode?: number;
}

const OPPORTUNITY_VIEW_TABLE: ViewTable = {
  logicalName: Tables.opportunity.logicalName,
  primaryId: Tables.opportunity.primaryId,
  nameColumn: S.name,
  objectTypeCode: Tables.opportunity.objectTypeCode,
};

export const OPPORTUNITY_VIEWS: readonly ViewDefinition[] = [
  {
    id: "{6b1f7c36-2f0e-4b1a-9a53-3f4c0c1e5a01}",
    names: { 1033: "Co-sell opportunities", 1040: "Opportunità co-sell" },
    descriptions: {
      1033: "Opportunities shared with Microsoft through Partner Center.",
      1040: "Opportunità condivise con Microsoft tramite Partner Center.",
    },
    columns: [
      { name: S.name, width: 250 }, { name: S.customer, width: 180 }, { name: S.estimatedValue, width: 120 },
      { name: S.estimatedCloseDate, width: 120 }, { name: C.referralStatus, width: 150 },
      { name: C.syncStatus, width: 120 }, { name: C.lastSyncedOn, width: 150 },
    ],
    conditions: [{ attribute: C.syncWithPartnerCenter, operator: "eq", values: [1] }],
    orderBy: { attribute: S.modifiedOn, descending: true },
  },
  {
    id: "{6b1f7c36-2f0e-4b1a-9a53-3f4c0c1e5a02}",
    names: { 1033: "Co-sell sync errors", 1040: "Errori di sincronizzazione co-sell" },
    descriptions: {
      1033: "Co-sell opportunities whose last sync with Partner Center failed, with the reason.",
      1040: "Opportunità co-sell la cui ultima sincronizzazione con Partner Center non è riuscita, con il motivo.",
    },
    columns: [
      { name: S.name, width: 250 }, { name: C.syncError, width: 400 }, { name: C.syncRequestedOn, width: 150 },
      { name: S.modifiedOn, width: 150 },
    ],
    conditions: [{ attribute: C.syncStatus, operator: "eq", values: [SyncStatus.Error] }],
    orderBy: { attribute: S.modifiedOn, descending: true },
  },
  {
    id: "{6b1f7c36-2f0e-4b1a-9a53-3f4c0c1e5a03}",
    names: { 1033: "Incoming Microsoft referrals", 1040: "Referral Microsoft in entrata" },
    descriptions: {
      1033: "Referrals Microsoft sent you; the ones awaiting an answer come first.",
      1040: "Referral inviati da Microsoft; prima quelli in attesa di risposta.",
    },
    columns: [
      { name: S.name, width: 250 }, { name: S.customer, width: 180 }, { name: C.referralStatus, width: 150 },
      { name: S.estimatedValue, width: 120 }, { name: S.createdOn, width: 150 },
    ],
    conditions: [{ attribute: C.referralDirection, operator: "eq", values: [ReferralDirection.Incoming] }],
    orderBy: { attribute: C.referralStatus, descending: false },
  },
];


export function writeSavedQuery(savedQueries: XMLBuilder, view: ViewDefinition, introducedVersion: string): void {
  const table = view.table ?? OPPORTUNITY_VIEW_TABLE;
  const query = savedQueries.ele("savedquery");
  textElement(query, "IsCustomizable", 1);
  textElement(query, "CanBeDeleted", view.isDefault ? 0 : 1);
  textElement(query, "isquickfindquery", 0);
  textElement(query, "isprivate", 0);
  textElement(query, "isdefault", view.isDefault ? 1 : 0);
  textElement(query, "savedqueryid", view.id);
  if (table.objectTypeCode !== undefined) textElement(query, "returnedtypecode", table.objectTypeCode);
  textElement(query, "querytype", 0);

  const grid = query.ele("layoutxml").ele("grid", { name: "resultset", jump: table.nameColumn, select: "1", icon: "1", preview: "1" });
  const row = grid.ele("row", { name: "result", id: table.primaryId });
  for (const column of view.columns) row.ele("cell", { name: column.name, width: String(column.width) });

  const entity = query.ele("fetchxml").ele("fetch", { version: "1.0", mapping: "logical" })
    .ele("entity", { name: table.logicalName });
  entity.ele("attribute", { name: table.primaryId });
  for (const column of view.columns) entity.ele("attribute", { name: column.name });
  entity.ele("order", { attribute: view.orderBy.attribute, descending: String(view.orderBy.descending) });
  const filter = entity.ele("filter", { type: "and" });
  for (const condition of view.conditions) {
    if (condition.operator === "eq") {
      filter.ele("condition", { attribute: condition.attribute, operator: "eq", value: String(condition.values[0]) });
    } else {
      const inCondition = filter.ele("condition", { attribute: condition.attribute, operator: "in" });
      for (const value of condition.values) inCondition.ele("value").txt(String(value));
    }
  }

  textElement(query, "IntroducedVersion", introducedVersion);
  localizedList(query, "LocalizedNames", "LocalizedName", view.names);
  localizedList(query, "Descriptions", "Description", view.descriptions);
}
