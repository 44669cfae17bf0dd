/**
 * What a Dataverse record id looks like: any 8-4-4-4-12 hexadecimal string, in either letter case.
 * Dataverse mints *sequential* GUIDs (e.g. 6d81597f-0f9f-e711-80e0-00155db0d8b8) whose "version
 * nibble" is not an RFC 4122 one, so an RFC validator (zod's uuid()) would refuse real ids.
 */
export const DATAVERSE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isDataverseId = (value: string): boolean => DATAVERSE_ID_PATTERN.test(value);
