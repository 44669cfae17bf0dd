/**
 * An opportunity form under xrm-mock with the columns the co-sell scripts read, plus the few Xrm
 * pieces xrm-mock leaves unimplemented (progress indicator, save, refresh, Web API) replaced by
 * recording fakes. Each test describes the record it needs; the defaults are a record Partner
 * Center would accept.
 */
import { vi } from "vitest";
import { XrmMockGenerator } from "xrm-mock";
import type { NavigationStaticMock } from "xrm-mock";
import { OPPORTUNITY_COLUMNS, OpportunityColumns as C, OpportunityStandardColumns as S, SyncStatus, Tables, AccountColumns } from "../../entities";
import { withdrawApproval } from "../../webresources/src/forms/save-approval";
import type { ClientHost } from "../../webresources/src/host/client-host";

export const OPPORTUNITY_ID = "{11111111-2222-3333-4444-555555555555}";
export const ACCOUNT = { id: "{aaaaaaaa-0000-0000-0000-000000000001}", name: "Contoso S.p.A.", entityType: Tables.account.logicalName };
export const CONTACT = { id: "{cccccccc-0000-0000-0000-000000000001}", name: "Giulia Rossi", entityType: Tables.contact.logicalName };
export const EURO = { id: "{eeeeeeee-0000-0000-0000-000000000001}", name: "Euro", entityType: Tables.transactionCurrency.logicalName };
export const NOW = new Date("2026-11-25T10:00:00Z");

export interface OpportunityValues {
  sync: boolean;
  syncStatus: number | null;
  syncError: string | null;
  lastSyncedOn: Date | null;
  syncRequestedOn: Date | null;
  referralIdentifier: string | null;
  referralLink: string | null;
  referralStatus: number | null;
  referralDirection: number | null;
  statusReason: string | null;
  products: string | null;
  help: number | null;
  /** Share with Microsoft sellers (absent: No). */
  share?: boolean;
  audit: string | null;
  account: Xrm.LookupValue | null;
  customer: Xrm.LookupValue | null;
  contact: Xrm.LookupValue | null;
  currency: Xrm.LookupValue | null;
  estimatedValue: number | null;
  closeDate: Date | null;
}

export const VALID_COSELL: OpportunityValues = {
  sync: true,
  syncStatus: SyncStatus.Synced,
  syncError: null,
  lastSyncedOn: new Date("2026-11-24T08:00:00Z"),
  syncRequestedOn: null,
  referralIdentifier: "7f3c2a8e-referral",
  referralLink: "https://partner.microsoft.com/dashboard/referrals/v2/leads/7f3c2a8e",
  referralStatus: null,
  referralDirection: null,
  statusReason: null,
  products: "SOL-15974-MQF",
  help: null,
  audit: null,
  account: ACCOUNT,
  customer: ACCOUNT,
  contact: null,
  currency: EURO,
  estimatedValue: 12000,
  closeDate: new Date("2027-01-31T00:00:00Z"),
};

export interface FormOptions {
  languageId?: number;
  /** 2 = saved and writable; 1 create, 3 read-only, 4 disabled. */
  formType?: number;
  /** The customer account's address1_country as the Web API returns it. */
  accountCountry?: string | null;
}

export interface FormFixture {
  form: Xrm.FormContext;
  host: ClientHost & { sleep: ReturnType<typeof vi.fn>; promptForText: ReturnType<typeof vi.fn> };
  navigation: NavigationStaticMock;
  progress: { shown: string[]; isOpen: () => boolean };
  save: ReturnType<typeof vi.fn>;
  refresh: ReturnType<typeof vi.fn>;
  retrieveRecord: ReturnType<typeof vi.fn>;
  updateRecord: ReturnType<typeof vi.fn>;
  value(column: string): unknown;
  alerts(): string[];
  errors(): string[];
  notifications(): { message: string; level: string; uniqueId: string }[];
}

const lookup = (value: Xrm.LookupValue | null) => (value ? [value] : undefined);

export function opportunityForm(overrides: Partial<OpportunityValues> = {}, options: FormOptions = {}): FormFixture {
  const v = { ...VALID_COSELL, ...overrides };
  // A new form is a new page: no save approval survives from the previous test's form.
  withdrawApproval();
  const xrm = XrmMockGenerator.initialise({ entity: { entityName: Tables.opportunity.logicalName, id: OPPORTUNITY_ID } });
  const A = XrmMockGenerator.Attribute;
  // Text columns get their real maximum length, so a command writing too much fails as on a real form.
  const text = (column: string, value: string | undefined) => {
    const definition = OPPORTUNITY_COLUMNS.find((c) => c.logicalName === column);
    const maxLength = definition && "maxLength" in definition ? definition.maxLength : undefined;
    A.createString({ name: column, value, maxLength }, { name: column });
  };
  A.createBoolean(C.syncWithPartnerCenter, v.sync);
  A.createBoolean(C.shareWithMicrosoftSellers, v.share ?? false);
  A.createOptionSet({ name: C.syncStatus, value: v.syncStatus ?? undefined, options: optionsOf(SyncStatus) }, { name: C.syncStatus });
  text(C.syncError, v.syncError ?? undefined);
  A.createDate(C.lastSyncedOn, v.lastSyncedOn ?? undefined);
  A.createDate(C.syncRequestedOn, v.syncRequestedOn ?? undefined);
  text(C.referralIdentifier, v.referralIdentifier ?? undefined);
  text(C.referralLink, v.referralLink ?? undefined);
  A.createOptionSet({ name: C.referralStatus, value: v.referralStatus ?? undefined }, { name: C.referralStatus });
  A.createOptionSet({ name: C.referralDirection, value: v.referralDirection ?? undefined }, { name: C.referralDirection });
  text(C.statusReason, v.statusReason ?? undefined);
  text(C.products, v.products ?? undefined);
  A.createOptionSet({ name: C.howCanMicrosoftHelp, value: v.help ?? undefined }, { name: C.howCanMicrosoftHelp });
  text(C.audit, v.audit ?? undefined);
  text(C.microsoftCrmIdentifier, undefined);
  text(C.microsoftMsxId, undefined);
  text(C.conflictNotice, undefined);
  A.createLookup(S.parentAccount, lookup(v.account));
  A.createLookup(S.customer, lookup(v.customer));
  A.createLookup(S.parentContact, lookup(v.contact));
  A.createLookup(S.transactionCurrency, lookup(v.currency));
  A.createNumber(S.estimatedValue, v.estimatedValue ?? undefined);
  A.createDate(S.estimatedCloseDate, v.closeDate ?? undefined);

  const form = XrmMockGenerator.getFormContext() as unknown as Xrm.FormContext;
  vi.spyOn(form.ui, "refreshRibbon").mockImplementation(() => undefined);
  vi.spyOn(form.ui, "getFormType").mockReturnValue((options.formType ?? 2) as XrmEnum.FormType);
  XrmMockGenerator.context.userSettings.languageId = options.languageId ?? 1033;

  const shown: string[] = [];
  let open = false;
  xrm.Utility.showProgressIndicator = (text: string) => { shown.push(text); open = true; };
  xrm.Utility.closeProgressIndicator = () => { open = false; };

  const save = vi.fn(async () => undefined);
  const refresh = vi.fn(async () => undefined);
  form.data.save = save as unknown as Xrm.Data["save"];
  form.data.refresh = refresh as unknown as Xrm.Data["refresh"];

  const country = options.accountCountry === undefined ? "IT" : options.accountCountry;
  const retrieveRecord = vi.fn(async (table: string) => {
    if (table === Tables.account.logicalName) return { [AccountColumns.country]: country };
    throw { errorCode: 404, message: `${table} not found` };
  });
  const updateRecord = vi.fn(async (table: string, id: string) => ({ entityType: table, id }));
  xrm.WebApi.retrieveRecord = retrieveRecord as unknown as Xrm.WebApi["retrieveRecord"];
  xrm.WebApi.updateRecord = updateRecord as unknown as Xrm.WebApi["updateRecord"];

  const navigation = xrm.Navigation as unknown as NavigationStaticMock;
  const host = {
    xrm: xrm as unknown as ClientHost["xrm"],
    sleep: vi.fn(async () => undefined),
    now: () => NOW,
    promptForText: vi.fn(async () => null as string | null),
  };
  const ui = form.ui as unknown as { formNotifications?: { message: string; level: string; uniqueId: string }[] };
  return {
    form, host, navigation, save, refresh, retrieveRecord, updateRecord,
    progress: { shown, isOpen: () => open },
    value: (column) => form.getAttribute(column)?.getValue() ?? null,
    alerts: () => navigation.alertDialogCalls.map((c) => c.alertStrings.text),
    errors: () => navigation.errorDialogCalls.map((c) => c.errorOptions.message ?? ""),
    notifications: () => [...(ui.formNotifications ?? [])],
  };
}

function optionsOf(values: Record<string, number>): Xrm.OptionSetValue[] {
  return Object.entries(values).map(([text, value]) => ({ text, value }));
}

/** Sets a column as the server would after a refresh (no dirty flag, no submit). */
export function serverSets(form: Xrm.FormContext, column: string, value: unknown): void {
  (form.getAttribute(column) as unknown as { setValue(v: unknown): void }).setValue(value);
}
