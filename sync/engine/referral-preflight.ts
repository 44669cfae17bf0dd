/**
 * The check run before a referral is created (docs/DESIGN.md 5): what Partner Center's business rules
 * will require (reference 1.6 and the connector's troubleshooting list in 3.6), every missing item
 * at once and in plain words, so a seller fixes the record in one go instead of one error per save.
 * It runs on the exact create body we would send, so what is checked is what goes out.
 */
import { OpportunityColumns, opportunityColumn, type LanguageCode, type Localized } from "../../entities";
import type { Referral, ReferralCreate } from "../partner-center/referral-types";
import { SOLUTION_AREA_OPTIONS, SOLUTION_PLAY_OPTIONS, optionForCode } from "../../entities";
import { coSellDetailsFromReferral } from "./opportunity-referral.mapping";
import { toCountryCode } from "./account-customer.mapping";
import { SOLUTION_ID_PATTERN, normalizeText } from "./mapped-fields";

export type PreflightCode =
  | "deal-name"
  | "customer-name"
  | "customer-country"
  | "deal-value"
  | "currency"
  | "close-date"
  | "solution"
  | "invalid-solution"
  | "customer-contact"
  | "consent"
  | "services-cosell"
  | "share-consent";

export interface PreflightProblem {
  readonly code: PreflightCode;
  readonly message: Localized;
}

const msg = (code: PreflightCode, en: string, it: string): PreflightProblem => ({ code, message: { 1033: en, 1040: it } });

export function preflightReferralCreate(body: ReferralCreate): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const details = body.details;
  const customer = body.customerProfile;

  if (!normalizeText(body.name)) {
    problems.push(msg("deal-name", "the opportunity has no name", "l'opportunità non ha un nome"));
  }
  if (!normalizeText(customer.name)) {
    problems.push(msg("customer-name", "the customer's name (link the opportunity to an account with a name)", "il nome del cliente (collega l'opportunità a un account con un nome)"));
  }
  const country = normalizeText(customer.address?.country);
  if (country === null) {
    problems.push(msg("customer-country", "the customer's country on the account (a two-letter code such as IT or US)", "il paese del cliente nell'account (un codice di due lettere come IT o US)"));
  } else if (toCountryCode(country) !== country) {
    problems.push(msg(
      "customer-country",
      `the customer's country as a two-letter ISO code (the account says "${country}")`,
      `il paese del cliente come codice ISO di due lettere (l'account indica "${country}")`,
    ));
  }
  const dealValue = typeof details.dealValue === "string" ? Number(details.dealValue) : details.dealValue;
  if (typeof dealValue !== "number" || !Number.isFinite(dealValue) || dealValue <= 0) {
    // Partner Center rejects 0 as well as empty (reference 3.6).
    problems.push(msg("deal-value", "a deal value greater than zero (Est. Revenue)", "un valore della trattativa maggiore di zero (Ricavi stimati)"));
  }
  const currency = normalizeText(details.currency);
  if (currency === null || !/^[A-Z]{3}$/.test(currency)) {
    problems.push(msg("currency", "the currency of the opportunity", "la valuta dell'opportunità"));
  }
  if (!normalizeText(details.closingDateTime)) {
    problems.push(msg("close-date", "an estimated close date", "una data di chiusura stimata"));
  }
  const solutions = details.requirements?.solutions ?? [];
  const invalid = solutions.map((s) => s.id).filter((id) => !SOLUTION_ID_PATTERN.test(id));
  if (solutions.length === 0) {
    problems.push(msg(
      "solution",
      "at least one co-sell solution id in Products, one per line (like SOL-12345-ABC)",
      "almeno un id di soluzione co-sell in Prodotti, uno per riga (come SOL-12345-ABC)",
    ));
  }
  if (invalid.length > 0) {
    const list = invalid.join(", ");
    problems.push(msg(
      "invalid-solution",
      `solution ids shaped like SOL-12345-ABC in Products (not valid: ${list})`,
      `id di soluzione nel formato SOL-12345-ABC in Prodotti (non validi: ${list})`,
    ));
  }
  const help = body.inviteContext?.assistanceRequestCode;
  if (help && help !== "Unknown") {
    const reachable = (customer.team ?? []).some(
      (m) => (normalizeText(m.firstName) || normalizeText(m.lastName)) && (normalizeText(m.email) || normalizeText(m.phoneNumber)),
    );
    if (body.consent.consentToShareReferralWithMicrosoftSellers !== true) {
      // Microsoft's help makes the deal visible to Microsoft sellers, irreversibly: only the seller's
      // own "Share with Microsoft sellers" (confirmed in the section) may consent to that.
      problems.push(msg(
        "share-consent",
        "\"Share with Microsoft sellers\" turned on, because asking Microsoft for help shares the deal with Microsoft sellers (this cannot be undone)",
        "\"Condividi con i venditori Microsoft\" attivato, perché chiedere aiuto a Microsoft condivide la trattativa con i venditori Microsoft (non si può annullare)",
      ));
    }
    if (!reachable) {
      problems.push(msg(
        "customer-contact",
        "a customer contact with a name and an e-mail or phone, because Microsoft's help is requested",
        "un contatto del cliente con nome ed e-mail o telefono, perché è richiesto l'aiuto di Microsoft",
      ));
    }
  }
  problems.push(...servicesCoSellProblems(body));
  return problems;
}

/**
 * Services co-sell referrals need partnerRole, solutionArea and solutionPlay (create docs). Choosing a
 * partner role (or any of the three) makes the deal services co-sell, so then all three are needed,
 * and the play must be one of the area's (FY26 taxonomy).
 */
function servicesCoSellProblems(body: ReferralCreate): PreflightProblem[] {
  const details = coSellDetailsFromReferral({ details: body.details } as Pick<Referral, "details">);
  const chosen = [details.partnerRole, details.solutionArea, details.solutionPlay];
  if (chosen.every((value) => value === null)) return [];
  const labels: [string | null, string, string][] = [
    [details.partnerRole, "Partner Role", "Ruolo del partner"],
    [details.solutionArea, "Solution Area", "Area della soluzione"],
    [details.solutionPlay, "Solution Play", "Play della soluzione"],
  ];
  const missing = labels.filter(([value]) => value === null);
  if (missing.length > 0) {
    return [msg(
      "services-cosell",
      `for services co-sell, ${missing.map(([, en]) => en).join(" and ")} as well`,
      `per il co-sell di servizi, anche ${missing.map(([, , it]) => it).join(" e ")}`,
    )];
  }
  const play = optionForCode(SOLUTION_PLAY_OPTIONS, details.solutionPlay);
  const area = optionForCode(SOLUTION_AREA_OPTIONS, details.solutionArea);
  if (play?.area && area && play.area !== area.code) {
    return [msg(
      "services-cosell",
      `a Solution Play of the chosen Solution Area ("${play.label[1033]}" belongs to another area than "${area.label[1033]}")`,
      `un Play della soluzione dell'Area scelta ("${play.label[1040]}" appartiene a un'area diversa da "${area.label[1040]}")`,
    )];
  }
  return [];
}

const LEAD: Localized = {
  1033: "Not shared with Partner Center yet. Please add: ",
  1040: "Non ancora condiviso con Partner Center. Aggiungi: ",
};

/** One plain-language message for pcc_syncerror, listing every problem; cut to the column's length. */
export function formatPreflightProblems(problems: readonly PreflightProblem[], language: LanguageCode = 1033): string {
  if (problems.length === 0) return "";
  const text = `${LEAD[language]}${problems.map((p) => p.message[language]).join("; ")}.`;
  const column = opportunityColumn(OpportunityColumns.syncError);
  const max = column.type === "text" || column.type === "memo" ? column.maxLength : 2000;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
