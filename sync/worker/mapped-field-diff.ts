/** Comparisons of two sets of mapped fields, as the stories and the recovery rules need them. Pure. */
import { MAPPED_FIELD_NAMES, sameFieldValue, type MappedFields } from "../engine";

/**
 * The opportunity's mapped fields as the merge compares them: a status choice never set has no
 * opinion yet and takes the referral's. (Right after a share, before the write-back, this is also the
 * base: the opportunity still holds its own values where Partner Center made a value its own.)
 */
export function opportunitySide(opportunity: MappedFields, referral: MappedFields): MappedFields {
  return opportunity.status === null ? { ...opportunity, status: referral.status } : opportunity;
}

export function sameFields(a: MappedFields, b: MappedFields): boolean {
  return MAPPED_FIELD_NAMES.every((field) => sameFieldValue(field, a[field], b[field]));
}

/** The fields where `target` differs from `current`, as a patch. */
export function diffFields(current: MappedFields, target: MappedFields): Partial<MappedFields> {
  const patch: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    if (!sameFieldValue(field, current[field], target[field])) patch[field] = target[field];
  }
  return patch as Partial<MappedFields>;
}

/** The base with the fields of an uncommitted push that Partner Center holds (they did land). */
export function withLandedPush(base: MappedFields, push: Partial<MappedFields>, partnerCenter: MappedFields): MappedFields {
  const landed: Record<string, unknown> = {};
  for (const field of MAPPED_FIELD_NAMES) {
    if (field in push && sameFieldValue(field, push[field] as never, partnerCenter[field])) landed[field] = partnerCenter[field];
  }
  return { ...base, ...landed } as MappedFields;
}
