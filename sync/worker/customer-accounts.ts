/**
 * The account (and contacts) an imported referral's customer belongs to: docs/DESIGN.md 5 account
 * matching; contacts of the customer's team are matched by e-mail or created. One customer at a
 * time, so two referrals of the same new customer never create its account twice.
 */
import { ContactColumns, AccountColumns } from "../../entities";
import {
  accountCreateBody,
  accountToFields,
  contactCreateBody,
  customerProfileToFields,
  matchAccount,
  matchTeamToContacts,
  normalizeCompanyName,
  type AccountCandidate,
  type AccountFields,
} from "../engine";
import type { Member, Referral } from "../partner-center/referral-types";
import { InMemoryPairLocks, type PairLocks } from "../cluster/pair-locks";
import { mappingInForce, text, type LinkSyncDependencies } from "./story-context";

export class CustomerAccounts {
  private readonly customerLock: PairLocks;

  /** The mapping is asked at each match (the mapping rows may change while the service runs). */
  constructor(private readonly deps: Pick<LinkSyncDependencies, "crm" | "mapping" | "currentMapping" | "customerLocks">) {
    this.customerLock = deps.customerLocks ?? new InMemoryPairLocks();
  }

  /** The matched or created account's id; null when the referral names no customer. */
  async matchOrCreate(referral: Referral): Promise<string | null> {
    const profile = referral.customerProfile;
    if (!profile) return null;
    const customer = customerProfileToFields(profile);
    const team = profile.team ?? [];
    const emails = team.map((m) => m.email).filter((e): e is string => typeof e === "string" && e !== "");
    // One customer at a time: matching then creating must not interleave for the same customer.
    const customerKey = `${normalizeCompanyName(customer.name) ?? ""}|${customer.country ?? ""}`;
    return this.customerLock.run(customerKey, () => this.matchOrCreateLocked(customer, team, emails));
  }

  private async matchOrCreateLocked(customer: AccountFields, team: readonly Member[], emails: readonly string[]): Promise<string> {
    const { crm } = this.deps;
    const mapping = mappingInForce(this.deps);
    const rows = await crm.accountCandidates(customer.name, customer.postalCode);
    const candidates: AccountCandidate[] = rows.map((row) => ({
      ...accountToFields(row.record, mapping?.account),
      id: row.id,
      createdOn: text(row.record[AccountColumns.modifiedOn]),
    }));
    const match = matchAccount({ customer, contactEmails: emails }, candidates);
    const existing = await crm.contactsByEmail(emails);
    const contactMapping = mapping?.contact;
    const plan = matchTeamToContacts(team, existing.map((c) => c.record), contactMapping);
    // A new customer's account and contacts in one request (deep insert), when contacts hang off parentcustomerid.
    if (match.kind !== "matched" && (contactMapping?.parentCustomer ?? ContactColumns.parentCustomer) === ContactColumns.parentCustomer) {
      const contacts = plan.toCreate.map((member) => contactCreateBody(member, null, contactMapping));
      return crm.createAccountWithContacts(accountCreateBody(customer, mapping?.account), contacts);
    }
    const accountId = match.kind === "matched" ? match.accountId : await crm.createAccount(accountCreateBody(customer, mapping?.account));
    for (const member of plan.toCreate) await crm.createContact(contactCreateBody(member, accountId, contactMapping));
    return accountId;
  }
}
