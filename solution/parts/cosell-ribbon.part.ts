/**
 * The opportunity command bar: five form buttons and one grid button, their rules and their
 * labels (en 1033, it 1040), as the <RibbonDiffXml> element (RibbonCore.xsd). Every function name
 * comes from webresources/src/public-names.ts and every column/table name from entities/, so the
 * XML can only reference what the bundle exports (checked again by the contract test).
 */
import { create } from "xmlbuilder2";
import type { XMLBuilder } from "xmlbuilder2/lib/interfaces";
import { LANGUAGES, Tables, type Localized } from "../../entities";
import { RIBBON_FUNCTIONS, WEB_RESOURCE_NAME } from "../../webresources/src/public-names";
import type { SolutionPartFactory } from "../solution-part";

const ENTITY = Tables.opportunity.logicalName;
const LIBRARY = `$webresource:${WEB_RESOURCE_NAME}`;
const PREFIX = `pcc.${ENTITY}`;

const FORM_LOCATION = `Mscrm.Form.${ENTITY}.MainTab.Save.Controls._children`;
const GRID_LOCATION = `Mscrm.HomepageGrid.${ENTITY}.MainTab.Management.Controls._children`;

type RibbonFunction = keyof typeof RIBBON_FUNCTIONS;

/** Declarative rules shared by the commands. */
export const RULE_IDS = {
  /** Hidden for users who may not write opportunities at all. */
  formWritePrivilege: `${PREFIX}.WritePrimaryEntityPrivilege.DisplayRule`,
  gridWritePrivilege: `${PREFIX}.WriteSelectedEntityPrivilege.DisplayRule`,
  /** Off (and so hidden in the Unified Interface) on a record this user may not write. */
  recordWritePrivilege: `${PREFIX}.WritePrimaryRecord.EnableRule`,
  atLeastOneSelected: `${PREFIX}.AtLeastOneSelected.EnableRule`,
} as const;

interface CommandSpec {
  /** PascalCase id part, e.g. SyncNow. */
  id: string;
  action: RibbonFunction;
  /** Custom enable rule (form commands), evaluated with the form as PrimaryControl. */
  enableRule?: RibbonFunction;
  modernImage: string;
  label: Localized;
  tooltip: Localized;
}

export const FORM_COMMANDS: readonly CommandSpec[] = [
  {
    id: "SyncNow", action: "syncNow", enableRule: "isSyncNowEnabled", modernImage: "Refresh",
    label: { 1033: "Sync now", 1040: "Sincronizza ora" },
    tooltip: {
      1033: "Send this opportunity to Partner Center now and wait for the result.",
      1040: "Invia subito questa opportunità a Partner Center e attendi il risultato.",
    },
  },
  {
    id: "OpenInPartnerCenter", action: "openInPartnerCenter", enableRule: "isOpenInPartnerCenterEnabled", modernImage: "Share",
    label: { 1033: "Open in Partner Center", 1040: "Apri in Partner Center" },
    tooltip: { 1033: "Open the linked referral in Partner Center.", 1040: "Apri il referral collegato in Partner Center." },
  },
  {
    id: "AcceptReferral", action: "acceptReferral", enableRule: "isAnswerReferralEnabled", modernImage: "Activate",
    label: { 1033: "Accept referral", 1040: "Accetta referral" },
    tooltip: { 1033: "Accept this referral from Microsoft.", 1040: "Accetta questo referral di Microsoft." },
  },
  {
    id: "DeclineReferral", action: "declineReferral", enableRule: "isAnswerReferralEnabled", modernImage: "Deactivate",
    label: { 1033: "Decline referral", 1040: "Rifiuta referral" },
    tooltip: {
      1033: "Decline this referral from Microsoft and say why.",
      1040: "Rifiuta questo referral di Microsoft e indica il motivo.",
    },
  },
  {
    id: "StopSyncing", action: "stopSyncing", enableRule: "isStopSyncingEnabled", modernImage: "Cancel",
    label: { 1033: "Stop syncing", 1040: "Interrompi sincronizzazione" },
    tooltip: {
      1033: "Stop exchanging changes with Partner Center for this opportunity.",
      1040: "Interrompi lo scambio di modifiche con Partner Center per questa opportunità.",
    },
  },
];

export const GRID_COMMANDS: readonly CommandSpec[] = [
  {
    id: "SyncSelected", action: "syncSelected", modernImage: "Refresh",
    label: { 1033: "Sync selected", 1040: "Sincronizza selezionate" },
    tooltip: {
      1033: "Ask for an immediate Partner Center sync of the selected opportunities that have sync on.",
      1040: "Chiedi una sincronizzazione immediata con Partner Center delle opportunità selezionate con la sincronizzazione attiva.",
    },
  },
];

/** Where the button sits: after the platform's own buttons in the group. */
const FIRST_SEQUENCE = 900;

const ids = (place: "Form" | "Grid", spec: CommandSpec) => ({
  button: `${PREFIX}.${place}.${spec.id}.Button`,
  command: `${PREFIX}.${place}.${spec.id}.Command`,
  label: `${PREFIX}.${place}.${spec.id}.LabelText`,
  tooltip: `${PREFIX}.${place}.${spec.id}.ToolTip`,
  customRule: `${PREFIX}.${spec.enableRule ? spec.enableRule[0].toUpperCase() + spec.enableRule.slice(1) : spec.id}.EnableRule`,
});

function addCustomAction(actions: XMLBuilder, place: "Form" | "Grid", spec: CommandSpec, sequence: number): void {
  const id = ids(place, spec);
  actions
    .ele("CustomAction", { Id: `${id.button}.CustomAction`, Location: place === "Form" ? FORM_LOCATION : GRID_LOCATION, Sequence: String(sequence) })
    .ele("CommandUIDefinition")
    .ele("Button", {
      Id: id.button,
      Command: id.command,
      Sequence: String(sequence),
      LabelText: `$LocLabels:${id.label}`,
      Alt: `$LocLabels:${id.label}`,
      ToolTipTitle: `$LocLabels:${id.label}`,
      ToolTipDescription: `$LocLabels:${id.tooltip}`,
      TemplateAlias: "o1",
      ModernImage: spec.modernImage,
    });
}

function addCommandDefinition(definitions: XMLBuilder, place: "Form" | "Grid", spec: CommandSpec): void {
  const id = ids(place, spec);
  const command = definitions.ele("CommandDefinition", { Id: id.command });
  const enableRules = command.ele("EnableRules");
  const displayRules = command.ele("DisplayRules");
  const action = command.ele("Actions").ele("JavaScriptFunction", { FunctionName: RIBBON_FUNCTIONS[spec.action], Library: LIBRARY });
  if (place === "Form") {
    enableRules.ele("EnableRule", { Id: RULE_IDS.recordWritePrivilege });
    if (spec.enableRule) enableRules.ele("EnableRule", { Id: id.customRule });
    displayRules.ele("DisplayRule", { Id: RULE_IDS.formWritePrivilege });
    action.ele("CrmParameter", { Value: "PrimaryControl" });
  } else {
    enableRules.ele("EnableRule", { Id: RULE_IDS.atLeastOneSelected });
    displayRules.ele("DisplayRule", { Id: RULE_IDS.gridWritePrivilege });
    action.ele("CrmParameter", { Value: "SelectedControlSelectedItemIds" });
    // The grid itself, so the command can refresh it once the rows are queued.
    action.ele("CrmParameter", { Value: "SelectedControl" });
  }
}

function addLocLabel(labels: XMLBuilder, id: string, text: Localized): void {
  const titles = labels.ele("LocLabel", { Id: id }).ele("Titles");
  for (const lang of LANGUAGES) titles.ele("Title", { description: text[lang], languagecode: String(lang) });
}

/** The opportunity <RibbonDiffXml>, without an XML declaration (the packer imports it under <Entity>). */
export function buildCosellRibbonDiffXml(): string {
  const root = create().ele("RibbonDiffXml");
  const actions = root.ele("CustomActions");
  FORM_COMMANDS.forEach((spec, i) => addCustomAction(actions, "Form", spec, FIRST_SEQUENCE + i * 10));
  GRID_COMMANDS.forEach((spec, i) => addCustomAction(actions, "Grid", spec, FIRST_SEQUENCE + i * 10));

  root.ele("Templates").ele("RibbonTemplates", { Id: "Mscrm.Templates" });

  const definitions = root.ele("CommandDefinitions");
  for (const spec of FORM_COMMANDS) addCommandDefinition(definitions, "Form", spec);
  for (const spec of GRID_COMMANDS) addCommandDefinition(definitions, "Grid", spec);

  const rules = root.ele("RuleDefinitions");
  rules.ele("TabDisplayRules");
  const displayRules = rules.ele("DisplayRules");
  displayRules.ele("DisplayRule", { Id: RULE_IDS.formWritePrivilege })
    .ele("EntityPrivilegeRule", { EntityName: ENTITY, PrivilegeType: "Write", PrivilegeDepth: "Basic", AppliesTo: "PrimaryEntity" });
  displayRules.ele("DisplayRule", { Id: RULE_IDS.gridWritePrivilege })
    .ele("EntityPrivilegeRule", { EntityName: ENTITY, PrivilegeType: "Write", PrivilegeDepth: "Basic", AppliesTo: "SelectedEntity" });

  const enableRules = rules.ele("EnableRules");
  enableRules.ele("EnableRule", { Id: RULE_IDS.recordWritePrivilege })
    .ele("RecordPrivilegeRule", { PrivilegeType: "Write", AppliesTo: "PrimaryEntity" });
  enableRules.ele("EnableRule", { Id: RULE_IDS.atLeastOneSelected })
    .ele("SelectionCountRule", { AppliesTo: "SelectedEntity", Minimum: "1" });
  // One custom rule per distinct function (Accept and Decline share theirs).
  const customRules = new Map<string, RibbonFunction>();
  for (const spec of FORM_COMMANDS) if (spec.enableRule) customRules.set(ids("Form", spec).customRule, spec.enableRule);
  for (const [id, fn] of customRules) {
    enableRules.ele("EnableRule", { Id: id })
      // Default false: while the library loads, or if it fails to, the button stays off.
      .ele("CustomRule", { FunctionName: RIBBON_FUNCTIONS[fn], Library: LIBRARY, Default: "false" })
      .ele("CrmParameter", { Value: "PrimaryControl" });
  }

  const labels = root.ele("LocLabels");
  for (const [place, specs] of [["Form", FORM_COMMANDS], ["Grid", GRID_COMMANDS]] as const) {
    for (const spec of specs) {
      const id = ids(place, spec);
      addLocLabel(labels, id.label, spec.label);
      addLocLabel(labels, id.tooltip, spec.tooltip);
    }
  }
  return root.end({ headless: true, prettyPrint: true, indent: "  " });
}

export const cosellRibbonPart: SolutionPartFactory = async () => ({
  name: "co-sell command bar",
  opportunityRibbonDiffXml: buildCosellRibbonDiffXml(),
});
