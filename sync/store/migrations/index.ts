/** Every migration in order. Add a new numbered module and append it here; never edit a released one. */
import { migration001 } from "./001-links-and-base.migration";
import { migration002 } from "./002-jobs.migration";
import { migration003 } from "./003-events-watermarks-audit.migration";
import { migration004 } from "./004-field-clocks.migration";
import { migration005 } from "./005-microsoft-invited.migration";
import { migration006 } from "./006-column-changes.migration";
import { migration007 } from "./007-pending-push.migration";
import { migration008 } from "./008-referral-changes.migration";
import { migration009 } from "./009-referral-notifications.migration";
import type { Migration } from "./migration";

export type { Migration } from "./migration";
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009];
