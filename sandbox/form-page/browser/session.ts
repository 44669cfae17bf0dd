/**
 * The signed-in user as the page pretends: language (the page's en/it switch stands for the user's
 * Dynamics 365 language setting), roles, and which columns field security hides or locks for them.
 */
import type { FieldSecurity } from "./pcf-host";
import type { UserSession } from "./xrm-shim";

export const LANGUAGES = [
  { id: 1033, code: "en", name: "English" },
  { id: 1040, code: "it", name: "Italiano" },
] as const;

const listeners = new Set<() => void>();
let languageId: number = LANGUAGES[0].id;
const fieldSecurity = new Map<string, FieldSecurity>();

export const session: UserSession & {
  setLanguage(id: number): void;
  fieldSecurity(column: string): FieldSecurity;
  setFieldSecurity(column: string, security: FieldSecurity): void;
  onChange(listener: () => void): () => void;
} = {
  languageId: () => languageId,
  // A fixed id: the sandbox runs every Web API call as its own caller, whatever the token says.
  userId: "5a1dbb0c-0000-4000-8000-000000000001",
  userName: "Sandbox Seller",
  roles: [{ id: "5a1dbb0c-0000-4000-8000-0000000000a1", name: "Salesperson" }],
  setLanguage(id) {
    languageId = id;
    document.documentElement.lang = LANGUAGES.find((language) => language.id === id)?.code ?? "en";
    for (const listener of [...listeners]) listener();
  },
  fieldSecurity: (column) => fieldSecurity.get(column) ?? "none",
  setFieldSecurity(column, security) {
    fieldSecurity.set(column, security);
    for (const listener of [...listeners]) listener();
  },
  onChange(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
