/**
 * The co-sell field mapping table: one org-owned row per Partner Center field, saying which Dataverse
 * column carries it and in which direction it syncs. An admin edits the rows in Dynamics 365; the sync
 * backend reads them, checks each against the org's metadata and writes its verdict back on the row.
 * The packer writes the table from these definitions and the sandbox learns it from the imported solution.
 */
import type { Localized, MemoColumn, OptionDefinition, TableColumnDefinition, TextColumn } from "./column-definition";

export const CoSellMappingTable = {
  logicalName: "pcc_cosellmapping",
  schemaName: "pcc_CoSellMapping",
  entitySetName: "pcc_cosellmappings",
  primaryId: "pcc_cosellmappingid",
  primaryName: "pcc_name",
  displayName: { 1033: "Co-sell field mapping", 1040: "Mapping campi co-sell" } satisfies Localized,
  collectionName: { 1033: "Co-sell field mappings", 1040: "Mapping campi co-sell" } satisfies Localized,
  description: {
    1033: "Which Dataverse column carries each Partner Center field, and in which direction it syncs. The sync service checks every row and writes its verdict on it.",
    1040: "Quale colonna Dataverse contiene ogni campo di Partner Center e in quale direzione si sincronizza. Il servizio di sincronizzazione controlla ogni riga e vi scrive il proprio esito.",
  } satisfies Localized,
} as const;

export const CoSellMappingColumns = {
  name: "pcc_name",
  /** The Partner Center field's key, e.g. "dealValue", "customer.city", "contact.email" (sync/mapping/mappable-fields.ts). */
  partnerCenterField: "pcc_partnercenterfield",
  /** The Dataverse column's logical name on the field's table (opportunity, account or contact). */
  dataverseColumn: "pcc_dataversecolumn",
  direction: "pcc_direction",
  /** JSON object: Partner Center value → the column's option value, for choice columns. */
  valueMap: "pcc_valuemap",
  /** Written by the backend: "OK" or what is wrong with the row. */
  verdict: "pcc_verdict",
  verdictOn: "pcc_verdicton",
  /** The admin types an opportunity's name (or id) here to preview the sync on it; the backend answers in testPreview and clears it. */
  testOpportunity: "pcc_testopportunity",
  testPreview: "pcc_testpreview",
  testedOn: "pcc_testedon",
} as const;

/** Option values of pcc_direction; each code is the direction's name in sync/mapping and in exported files. */
export const MappingDirectionOption = {
  Both: 581200000,
  ToPartnerCenter: 581200001,
  ToDynamics: 581200002,
} as const;

export const MAPPING_DIRECTION_OPTIONS: readonly OptionDefinition[] = [
  { value: MappingDirectionOption.Both, code: "both", label: { 1033: "Both ways", 1040: "In entrambe le direzioni" } },
  { value: MappingDirectionOption.ToPartnerCenter, code: "to-partner-center", label: { 1033: "To Partner Center only", 1040: "Solo verso Partner Center" } },
  { value: MappingDirectionOption.ToDynamics, code: "to-dynamics-365", label: { 1033: "To Dynamics 365 only", 1040: "Solo verso Dynamics 365" } },
];

const C = CoSellMappingColumns;

export const COSELL_MAPPING_NAME_COLUMN: TextColumn = {
  type: "text", format: "text", maxLength: 100, logicalName: C.name, schemaName: "pcc_Name",
  displayName: { 1033: "Name", 1040: "Nome" },
  description: { 1033: "What this row maps, in words.", 1040: "Cosa mappa questa riga, a parole." },
  requiredLevel: "required", readOnlyOnForms: false,
};

/** Long enough for a preview of a referral with its notes and team. */
const PREVIEW_MAX_LENGTH = 100_000;

const memo = (logicalName: string, schemaName: string, maxLength: number, displayName: Localized, description: Localized, readOnlyOnForms: boolean): MemoColumn => ({
  type: "memo", logicalName, schemaName, maxLength, displayName, description, requiredLevel: "none", readOnlyOnForms,
});

export const COSELL_MAPPING_COLUMNS: readonly TableColumnDefinition[] = [
  {
    type: "text", format: "text", maxLength: 100, logicalName: C.partnerCenterField, schemaName: "pcc_PartnerCenterField",
    displayName: { 1033: "Partner Center field", 1040: "Campo di Partner Center" },
    description: {
      1033: "The Partner Center field: name, dealValue, currency, closingDate, notes, helpCode, solutionIds, shareWithMicrosoftSellers, status, statusReason; customer.<name|line1|city|stateOrProvince|postalCode|country|websiteUrl|numberOfEmployees|externalId|duns>; contact.<firstName|lastName|email|phone|parentCustomer>.",
      1040: "Il campo di Partner Center: name, dealValue, currency, closingDate, notes, helpCode, solutionIds, shareWithMicrosoftSellers, status, statusReason; customer.<campo>; contact.<campo>.",
    },
    requiredLevel: "required", readOnlyOnForms: false,
  },
  {
    type: "text", format: "text", maxLength: 100, logicalName: C.dataverseColumn, schemaName: "pcc_DataverseColumn",
    displayName: { 1033: "Dataverse column", 1040: "Colonna Dataverse" },
    description: {
      1033: "The logical name of the column that carries the field (on opportunity; on account for customer.*, on contact for contact.*). Empty for customer.duns: not mapped.",
      1040: "Il nome logico della colonna che contiene il campo (su opportunità; su account per customer.*, su contatto per contact.*). Vuoto per customer.duns: non mappato.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  {
    type: "choice", logicalName: C.direction, schemaName: "pcc_Direction", options: MAPPING_DIRECTION_OPTIONS, defaultValue: MappingDirectionOption.Both,
    displayName: { 1033: "Direction", 1040: "Direzione" },
    description: {
      1033: "Both ways, or one way only: the other side's changes to this field are then not brought over (opportunity fields; customer and contact fields are copied when a record is created).",
      1040: "In entrambe le direzioni o in una sola: le modifiche dell'altro lato a questo campo non vengono riportate (campi dell'opportunità; i campi di cliente e contatto sono copiati alla creazione).",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  memo(C.valueMap, "pcc_ValueMap", 4000, { 1033: "Value map", 1040: "Mappa dei valori" }, {
    1033: "For a choice column: a JSON object from each Partner Center value to the column's option value, e.g. {\"GeneralOrOther\": 100000005}. Empty: the values of the solution's own choice.",
    1040: "Per una colonna di scelta: un oggetto JSON da ogni valore di Partner Center al valore dell'opzione della colonna. Vuoto: i valori della scelta della soluzione.",
  }, false),
  memo(C.verdict, "pcc_Verdict", 4000, { 1033: "Verdict", 1040: "Esito" }, {
    1033: "Written by the sync service: OK, or what is wrong with this row (the last valid mapping keeps running until it is fixed).",
    1040: "Scritto dal servizio di sincronizzazione: OK, o cosa non va in questa riga (l'ultimo mapping valido resta in uso finché non è corretta).",
  }, true),
  {
    type: "datetime", logicalName: C.verdictOn, schemaName: "pcc_VerdictOn", behavior: "UserLocal",
    displayName: { 1033: "Verdict on", 1040: "Esito del" },
    description: { 1033: "When the sync service wrote the verdict.", 1040: "Quando il servizio di sincronizzazione ha scritto l'esito." },
    requiredLevel: "none", readOnlyOnForms: true,
  },
  {
    type: "text", format: "text", maxLength: 200, logicalName: C.testOpportunity, schemaName: "pcc_TestOpportunity",
    displayName: { 1033: "Test on opportunity", 1040: "Prova sull'opportunità" },
    description: {
      1033: "Type an opportunity's name (or id) and save: within seconds the sync service writes, under Test preview, the referral it would send and what it would write back, without sending anything.",
      1040: "Digitare il nome (o l'id) di un'opportunità e salvare: entro pochi secondi il servizio scrive in Anteprima della prova il referral che invierebbe e cosa riscriverebbe, senza inviare nulla.",
    },
    requiredLevel: "none", readOnlyOnForms: false,
  },
  memo(C.testPreview, "pcc_TestPreview", PREVIEW_MAX_LENGTH, { 1033: "Test preview", 1040: "Anteprima della prova" }, {
    1033: "Written by the sync service: the referral the mapping would send for the test opportunity, and what it would write back on it. Nothing is sent.",
    1040: "Scritto dal servizio: il referral che il mapping invierebbe per l'opportunità di prova e cosa vi riscriverebbe. Nulla viene inviato.",
  }, true),
  {
    type: "datetime", logicalName: C.testedOn, schemaName: "pcc_TestedOn", behavior: "UserLocal",
    displayName: { 1033: "Tested on", 1040: "Provato il" },
    description: { 1033: "When the sync service wrote the test preview.", 1040: "Quando il servizio ha scritto l'anteprima della prova." },
    requiredLevel: "none", readOnlyOnForms: true,
  },
];
