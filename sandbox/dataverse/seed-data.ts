/**
 * The rows a new org starts with: the base currency USD plus EUR and GBP, the calling system user
 * (the backend's application user), and the SDK messages / message filters that webhook steps point
 * to (Create, Update, Delete on the tables the connector uses).
 */
import {
  CurrencyColumns,
  RegistrationTables,
  SdkMessageColumns,
  SdkMessageFilterColumns,
  SystemUserColumns,
  Tables,
} from "../../entities";
import type { RecordOperations } from "./record-operations";
import type { SandboxContext } from "./sandbox-context";

export const SEED_CURRENCIES = [
  { code: "USD", name: "US Dollar", symbol: "$", rate: 1 },
  { code: "EUR", name: "Euro", symbol: "€", rate: 0.92 },
  { code: "GBP", name: "Pound Sterling", symbol: "£", rate: 0.79 },
] as const;

const MESSAGES = ["Create", "Update", "Delete", "Win", "Lose"] as const;
/** Win and Lose exist for opportunity only (the close dialog's WinOpportunity / LoseOpportunity). */
const OPPORTUNITY_ONLY = new Set<string>(["Win", "Lose"]);

export function seedData(context: SandboxContext, operations: RecordOperations): { baseCurrencyId: string } {
  const table = (logicalName: string) => {
    const meta = context.schema.table(logicalName);
    if (!meta) throw new Error(`seed table ${logicalName} missing`);
    return meta;
  };
  operations.create(table(Tables.systemUser.logicalName), {
    firstname: "Partner Center",
    lastname: "Co-sell Sync",
    [SystemUserColumns.email]: "cosell-sync@sandbox.invalid",
    domainname: "cosell-sync@sandbox.invalid",
    isdisabled: false,
  }, context.callerId);
  let baseCurrencyId = "";
  for (const currency of SEED_CURRENCIES) {
    const row = operations.create(table(Tables.transactionCurrency.logicalName), {
      [CurrencyColumns.isoCode]: currency.code,
      [CurrencyColumns.name]: currency.name,
      [CurrencyColumns.symbol]: currency.symbol,
      [CurrencyColumns.exchangeRate]: currency.rate,
      currencyprecision: 2,
    });
    if (!baseCurrencyId) baseCurrencyId = row.id;
  }
  const filterTables = [Tables.opportunity, Tables.account, Tables.contact];
  for (const message of MESSAGES) {
    const messageRow = operations.create(table(RegistrationTables.sdkMessage.logicalName), { [SdkMessageColumns.name]: message });
    for (const target of filterTables.filter((table) => !OPPORTUNITY_ONLY.has(message) || table === Tables.opportunity)) {
      operations.create(table(RegistrationTables.sdkMessageFilter.logicalName), {
        name: `${message} of ${target.logicalName}`,
        [SdkMessageFilterColumns.message]: { id: messageRow.id, logicalName: RegistrationTables.sdkMessage.logicalName },
        [SdkMessageFilterColumns.primaryObjectTypeCode]: target.logicalName,
        secondaryobjecttypecode: "none",
      });
    }
  }
  return { baseCurrencyId };
}
