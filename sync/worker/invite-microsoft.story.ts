/**
 * Story: invite Microsoft to a co-sell engagement of ours (microsoftInvitationFor), by creating
 * Microsoft's side of it. The share does it at once; a share whose invitation failed or was cut
 * short by a crash is caught by every later merge, once per link.
 */
import { isTerminalStatus, microsoftInvitationFor, referralToMappedFields } from "../engine";
import { PartnerCenterError } from "../partner-center/partner-center-error";
import { quote, type UnreadableReferral } from "../partner-center/referrals-client";
import { isMicrosoftSide, type Referral } from "../partner-center/referral-types";
import type { StoryContext } from "./story-context";

/** Right after the share created `created`: its invitation, when it needs one, remembered on the link. */
export async function inviteMicrosoftAtShare(ctx: StoryContext, key: string, created: Referral): Promise<void> {
  const invitation = microsoftInvitationFor(created);
  if (!invitation) return;
  await ctx.deps.referrals.create(invitation);
  await ctx.deps.store.saveLink({ key, microsoftInvitedAt: ctx.now().getTime() });
}

/**
 * After a merge: look first (an earlier try may have created it and lost the answer), create if
 * missing, and remember it on the link so that later syncs cost nothing.
 */
export async function inviteMicrosoftIfDue(ctx: StoryContext, key: string, ours: Referral): Promise<void> {
  const { referrals, store, logger } = ctx.deps;
  const invitation = microsoftInvitationFor(ours);
  if (!invitation || ours.direction === "Incoming" || isMicrosoftSide(ours) || !ours.engagementId) return;
  if (isTerminalStatus(referralToMappedFields(ours).status)) return;
  const link = await store.getLink(key);
  if (!link || link.microsoftInvitedAt !== null) return;
  let invited = false;
  const unreadable: UnreadableReferral[] = [];
  for await (const page of referrals.pages({ filter: `engagementId eq ${quote(ours.engagementId)}` })) {
    if (page.value.some(isMicrosoftSide)) invited = true;
    // An entry we cannot read may be Microsoft's side: only a readable target that is not Microsoft's rules it out.
    unreadable.push(...page.unreadable.filter((entry) => entry.targetIds === null || isMicrosoftSide({ target: entry.targetIds.map((id) => ({ id })) })));
  }
  if (!invited && unreadable.length > 0) {
    throw new PartnerCenterError(
      `Engagement ${ours.engagementId} holds a referral this connector cannot read (${unreadable.map((entry) => entry.id ?? "(no id)").join(", ")}); it may be Microsoft's invitation, so none is sent again: ${unreadable[0]!.reason}. Update the connector, or check the engagement in Partner Center.`,
      { status: 200, code: "unreadableReferral", retryable: false },
    );
  }
  if (!invited) {
    await referrals.create(invitation);
    logger.info({ referralId: ours.id, engagementId: ours.engagementId }, "Microsoft invited to the engagement (the share's invitation had not gone through)");
  }
  await store.saveLink({ key, microsoftInvitedAt: ctx.now().getTime() });
}
