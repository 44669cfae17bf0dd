/**
 * The names the control's manifest declares, in one place: the generator writes
 * ControlManifest.Input.xml from these, index.ts and the mapping read context.parameters through
 * them, and the solution's form part binds the columns with them. Each manifest property is named
 * after its key in entities' OpportunityColumns, so property → column needs no second table.
 */
import { OpportunityColumns, type OpportunityColumnKey } from "../../entities/opportunity-columns";
import { PUBLISHER } from "../../entities/publisher";

export const CONTROL_NAMESPACE = "PartnerCenterCoSell";
export const CONTROL_CONSTRUCTOR = "CoSellSection";
/** pac prefixes a control with the publisher prefix in solutions; forms and the zip use this name. */
export const SOLUTION_CONTROL_NAME = `${PUBLISHER.customizationPrefix}_${CONTROL_NAMESPACE}.${CONTROL_CONSTRUCTOR}`;
/** Folder pcf-scripts writes the compiled control to, below pcf/. */
export const CONTROL_OUTPUT_DIR = `out/controls/${CONTROL_CONSTRUCTOR}`;

/** PCF of-type values we use; each must match the Dataverse column type or the control is not offered. */
export type OfType = "TwoOptions" | "SingleLine.Text" | "SingleLine.URL" | "Multiple" | "OptionSet" | "DateAndTime.DateAndTime";

/**
 * Every pcc_ opportunity column is a bound property. The of-type is spelled here (rather than only
 * derived) so that CoSellInputs can be typed from it; the generator refuses to write a manifest
 * whose of-type disagrees with the column's type in entities/.
 */
export const BOUND_PROPERTIES = {
  syncWithPartnerCenter: "TwoOptions",
  referralIdentifier: "SingleLine.Text",
  referralLink: "SingleLine.URL",
  howCanMicrosoftHelp: "OptionSet",
  products: "Multiple",
  audit: "Multiple",
  shareWithMicrosoftSellers: "TwoOptions",
  syncStatus: "OptionSet",
  syncError: "SingleLine.Text",
  conflictNotice: "Multiple",
  lastSyncedOn: "DateAndTime.DateAndTime",
  syncRequestedOn: "DateAndTime.DateAndTime",
  referralStatus: "OptionSet",
  referralDirection: "OptionSet",
  statusReason: "SingleLine.Text",
  microsoftCrmIdentifier: "SingleLine.Text",
  microsoftMsxId: "SingleLine.Text",
  customerMarketplaceIntent: "OptionSet",
  partnerRole: "OptionSet",
  solutionArea: "OptionSet",
  solutionPlay: "OptionSet",
} as const satisfies Record<OpportunityColumnKey, OfType>;

export type ManifestPropertyName = keyof typeof BOUND_PROPERTIES;

/** The property the control is placed on in the form editor. */
export const PRIMARY_PROPERTY = "syncWithPartnerCenter" satisfies ManifestPropertyName;

export const MANIFEST_PROPERTY_NAMES = Object.keys(BOUND_PROPERTIES) as ManifestPropertyName[];

/** Column each manifest property binds to on the form. */
export function boundColumn(property: ManifestPropertyName): (typeof OpportunityColumns)[ManifestPropertyName] {
  return OpportunityColumns[property];
}

/** Resource keys the generator writes for each property (display name and description). */
export const propertyDisplayKey = (property: ManifestPropertyName) => `${property}_Display` as const;
export const propertyDescriptionKey = (property: ManifestPropertyName) => `${property}_Desc` as const;
