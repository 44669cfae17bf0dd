/**
 * The file `cosell config export` writes and `cosell config import` reads: the field mapping rows and
 * the org-independent co-sell settings, as stable JSON (fixed key order, rows in field order, no
 * timestamps or ids), so the same configuration always gives the same bytes and a git diff shows
 * only what an admin changed. Pure.
 */
import { z } from "zod";
import { CONFLICT_POLICIES, MAPPING_DIRECTIONS } from "../engine";
import { MAPPABLE_FIELDS } from "../mapping/mappable-fields";

export const CONFIG_FILE_FORMAT = "cosell-config";
export const CONFIG_FILE_VERSION = 1;

const ValueMapSchema = z.record(z.string(), z.number().int("must be a whole option value"));

export const MappingEntrySchema = z.strictObject({
  partnerCenterField: z.string().min(1),
  name: z.string().min(1).max(100),
  dataverseColumn: z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, "must be a lower-case Dataverse logical name").nullable(),
  direction: z.enum(MAPPING_DIRECTIONS),
  valueMap: ValueMapSchema.nullable(),
});
export type MappingEntry = z.infer<typeof MappingEntrySchema>;

/**
 * The settings that move from staging to production. Pause all sync (the running state of one
 * environment) and the Teams webhook URL (a secret, and each environment posts to its own channel)
 * stay out of the file.
 */
export const PortableSettingsSchema = z.strictObject({
  conflictPolicy: z.enum(CONFLICT_POLICIES).nullable(),
  catchUpIntervalSeconds: z.number().int().min(5).max(60).nullable(),
});
export type PortableSettings = z.infer<typeof PortableSettingsSchema>;

export const ConfigFileSchema = z.strictObject({
  format: z.literal(CONFIG_FILE_FORMAT),
  version: z.literal(CONFIG_FILE_VERSION),
  settings: PortableSettingsSchema,
  mapping: z.array(MappingEntrySchema),
});
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** A file that cannot be imported; `problems` lists every one, with its place in the file. */
export class ConfigFileError extends Error {
  constructor(message: string, readonly problems: readonly string[]) {
    super(message);
    this.name = "ConfigFileError";
  }
}

const FIELD_ORDER = new Map(MAPPABLE_FIELDS.map((field, index) => [field.key.toLowerCase(), index]));

function fieldRank(key: string): number {
  return FIELD_ORDER.get(key.toLowerCase()) ?? Number.MAX_SAFE_INTEGER;
}

/** Keys of a value map in the order Partner Center lists the values, the rest alphabetically. */
function sortedValueMap(map: Readonly<Record<string, number>> | null): Record<string, number> | null {
  if (map === null) return null;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
}

/** The file's text: the same configuration always gives the same bytes. */
export function serializeConfigFile(file: ConfigFile): string {
  const ordered: ConfigFile = {
    format: CONFIG_FILE_FORMAT,
    version: CONFIG_FILE_VERSION,
    settings: { conflictPolicy: file.settings.conflictPolicy, catchUpIntervalSeconds: file.settings.catchUpIntervalSeconds },
    mapping: [...file.mapping]
      .sort((a, b) => fieldRank(a.partnerCenterField) - fieldRank(b.partnerCenterField) || a.partnerCenterField.localeCompare(b.partnerCenterField))
      .map((entry) => ({
        partnerCenterField: entry.partnerCenterField,
        name: entry.name,
        dataverseColumn: entry.dataverseColumn,
        direction: entry.direction,
        valueMap: sortedValueMap(entry.valueMap),
      })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Parses and validates the file's text; every problem is listed at once. */
export function parseConfigFile(text: string, source: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigFileError(`${source} is not valid JSON (${(error as Error).message}); write it with \`cosell config export\` and edit it as JSON.`, []);
  }
  const result = ConfigFileSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(top level)"}: ${issue.message}`);
    throw new ConfigFileError(`${source} is not a co-sell configuration file this version can import:\n- ${problems.join("\n- ")}`, problems);
  }
  const seen = new Set<string>();
  const duplicates = result.data.mapping.map((entry) => entry.partnerCenterField.toLowerCase()).filter((key) => (seen.has(key) ? true : (seen.add(key), false)));
  if (duplicates.length > 0) {
    const problems = [...new Set(duplicates)].map((key) => `mapping: ${key} appears more than once; keep one entry per Partner Center field`);
    throw new ConfigFileError(`${source} is not a co-sell configuration file this version can import:\n- ${problems.join("\n- ")}`, problems);
  }
  return result.data;
}
