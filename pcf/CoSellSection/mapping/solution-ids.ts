/**
 * Co-sell solution ids as pcc_products stores them (one per line) and the checks the tag input
 * runs while the seller types. The shape is the one the sync engine enforces before it sends a
 * referral (sync/engine/mapped-fields.ts SOLUTION_ID_PATTERN); it is repeated here because the
 * engine module pulls in zod, which must not end up in the browser bundle.
 */

export const SOLUTION_ID_EXAMPLE = "SOL-12345-ABC";
const SOLUTION_ID = /^SOL-\d{5}-[A-Z0-9]{3}$/;

export type SolutionIdProblem = "prefix" | "digits" | "suffix" | "tooLong" | "incomplete" | "duplicate" | "noRoom";

/** Ids from the column text: one per line, blank lines dropped, order kept. */
export function parseSolutionIds(text: string | null | undefined): string[] {
  if (!text) return [];
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0);
}

export function serializeSolutionIds(ids: readonly string[]): string {
  return ids.join("\n");
}

export function isValidSolutionId(id: string): boolean {
  return SOLUTION_ID.test(id);
}

/** Sellers type in any case; Partner Center ids are upper case. */
export function normalizeSolutionId(draft: string): string {
  return draft.trim().toUpperCase();
}

/**
 * What is wrong with a (possibly unfinished) id, checked character by character so the message can
 * name the part that is wrong. A correct beginning is "incomplete", which the input only reports
 * when the seller tries to add it, not while typing.
 */
export function diagnoseSolutionId(draft: string): Exclude<SolutionIdProblem, "duplicate" | "noRoom"> | null {
  const id = normalizeSolutionId(draft);
  const prefix = "SOL-";
  for (let i = 0; i < prefix.length; i++) {
    if (i >= id.length) return "incomplete";
    if (id[i] !== prefix[i]) return "prefix";
  }
  for (let i = 4; i < 9; i++) {
    if (i >= id.length) return "incomplete";
    if (!/\d/.test(id.charAt(i))) return "digits";
  }
  if (id.length === 9) return "incomplete";
  if (id[9] !== "-") return /\d/.test(id.charAt(9)) ? "digits" : "suffix";
  for (let i = 10; i < 13; i++) {
    if (i >= id.length) return "incomplete";
    if (!/[A-Z0-9]/.test(id.charAt(i))) return "suffix";
  }
  return id.length > 13 ? "tooLong" : null;
}

export type AddResult = { ok: true; ids: string[] } | { ok: false; problem: SolutionIdProblem; id: string };

/**
 * Adds what the seller typed (one id, or several separated by spaces, commas or new lines when
 * pasted) to the list, or says why not. Nothing is added unless every id is valid, so a paste is
 * never half-applied.
 */
export function addSolutionIds(existing: readonly string[], draft: string, maxLength: number): AddResult {
  const ids = [...existing];
  for (const token of draft.split(/[\s,;]+/).filter((t) => t.length > 0)) {
    const id = normalizeSolutionId(token);
    const problem = diagnoseSolutionId(id);
    if (problem) return { ok: false, problem, id };
    if (ids.includes(id)) return { ok: false, problem: "duplicate", id };
    if (serializeSolutionIds([...ids, id]).length > maxLength) return { ok: false, problem: "noRoom", id };
    ids.push(id);
  }
  return { ok: true, ids };
}

/**
 * The problem to show while the seller types: every finished id in the draft must be valid and
 * new; the id still being typed (the last one) only has to be a correct beginning so far.
 */
export function checkDraft(existing: readonly string[], draft: string): { problem: SolutionIdProblem; id: string } | null {
  const tokens = draft.split(/[\s,;]+/).filter((t) => t.length > 0);
  const typingLast = !/[\s,;]$/.test(draft);
  for (const [index, token] of tokens.entries()) {
    const id = normalizeSolutionId(token);
    const problem = diagnoseSolutionId(id);
    const stillTyping = typingLast && index === tokens.length - 1;
    if (problem && !(problem === "incomplete" && stillTyping)) return { problem, id };
    if (!problem && (existing.includes(id) || tokens.slice(0, index).some((t) => normalizeSolutionId(t) === id))) {
      return { problem: "duplicate", id };
    }
  }
  return null;
}
