/**
 * The "test a mapping" answer as the admin reads it in pcc_testpreview: which column each field was
 * read from and its value, then the referral the service would send (or the changes it would make to
 * the linked one) and what it would write back on the opportunity. Pure: sync-preview.ts gathers it.
 */
import { FIELD_LABELS, formatFieldValue, type MappedFieldName, type MappedFields, type MappingDirection } from "../engine";

export interface PreviewFieldLine {
  readonly field: MappedFieldName;
  readonly column: string;
  readonly direction: MappingDirection;
}

export type PreviewAction =
  | { readonly kind: "create"; readonly body: unknown; readonly problems: readonly string[] }
  | {
      readonly kind: "update";
      readonly referralId: string;
      readonly operations: readonly unknown[];
      readonly crmWrite: Readonly<Record<string, unknown>>;
      readonly notes: readonly string[];
    };

export interface SyncPreview {
  readonly opportunity: { readonly id: string; readonly name: string | null };
  readonly at: string;
  readonly syncOn: boolean;
  readonly fields: readonly PreviewFieldLine[];
  readonly values: MappedFields;
  readonly action: PreviewAction;
}

const DIRECTION_MARK: Readonly<Record<MappingDirection, string>> = { both: "⇄", "to-partner-center": "→ Partner Center only", "to-dynamics-365": "← Dynamics 365 only" };

/** Stable, readable JSON: two-space indent, keys as the engine wrote them. */
const json = (value: unknown) => JSON.stringify(value, null, 2);

export function formatPreview(preview: SyncPreview): string {
  const lines: string[] = [
    `Test of the mapping on "${preview.opportunity.name ?? "(no name)"}" (${preview.opportunity.id}) at ${preview.at}. Nothing was sent to Partner Center and nothing was written to the opportunity.`,
  ];
  if (!preview.syncOn) lines.push("Sync with Partner Center is off on this opportunity: this is what would happen once it is turned on.");
  lines.push("", "Fields read under the mapping in force:");
  for (const line of preview.fields) {
    lines.push(`- ${FIELD_LABELS[line.field]} (${line.field}) ${DIRECTION_MARK[line.direction]} opportunity.${line.column}: ${formatFieldValue(line.field, preview.values[line.field])}`);
  }
  lines.push("");
  const action = preview.action;
  if (action.kind === "create") {
    lines.push("Would create this referral in Partner Center (POST /v1.0/engagements/referrals):", json(action.body));
    if (action.problems.length > 0) {
      lines.push("", "Partner Center would refuse it as it stands; the service would write this sync error on the opportunity instead of sending:", ...action.problems.map((p) => `- ${p}`));
    } else {
      lines.push("", "Would then write back on the opportunity: the referral id and link, sync status Synced, an audit line, and any value Partner Center sets itself.");
    }
    return lines.join("\n");
  }
  lines.push(
    action.operations.length > 0
      ? `Would update referral ${action.referralId} in Partner Center (PATCH, JSON Patch):\n${json(action.operations)}`
      : `Referral ${action.referralId}: nothing to send, Partner Center already holds these values.`,
  );
  lines.push(
    "",
    Object.keys(action.crmWrite).length > 0
      ? `Would write on the opportunity:\n${json(action.crmWrite)}`
      : "Would write nothing on the opportunity's mapped columns.",
  );
  if (action.notes.length > 0) lines.push("", ...action.notes.map((note) => `Note: ${note}`));
  return lines.join("\n");
}
