import * as React from "react";
import { ActionButton, Label, getId } from "@fluentui/react";
import type { AuditEntry } from "../mapping/audit-trail";
import type { Translate } from "../strings/string-keys";
import { classes } from "./styles";

export interface AuditTimelineProps {
  t: Translate;
  locale: string;
  audit: { masked: boolean; entries: AuditEntry[] };
  label: string;
}

/** pcc_audit as a timeline, collapsed by default: it can hold up to ~200 lines. */
export function AuditTimeline({ t, locale, audit, label }: AuditTimelineProps): React.ReactElement {
  const [open, setOpen] = React.useState(false);
  const [listId] = React.useState(() => getId("pcc-audit"));

  if (audit.masked) {
    return (
      <div>
        <Label>{label}</Label>
        <div className={classes.subtle}>{t("Field_Masked")}</div>
      </div>
    );
  }
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return (
    <div>
      <ActionButton aria-expanded={open} aria-controls={listId} onClick={() => setOpen(!open)}>
        <span aria-hidden="true">{open ? "▾\u00a0" : "▸\u00a0"}</span>
        {open ? t("Audit_Hide") : t("Audit_Show", audit.entries.length)}
      </ActionButton>
      <div id={listId} hidden={!open}>
        {open && audit.entries.length === 0 && <div className={classes.subtle}>{t("Audit_Empty")}</div>}
        {open && audit.entries.length > 0 && (
          <ol className={classes.timeline} aria-label={label}>
            {audit.entries.map((entry, index) =>
              entry.kind === "change" ? (
                <li key={index} className={classes.timelineItem}>
                  <time className={classes.timelineTime} dateTime={entry.at.toISOString()}>
                    {dateFormat.format(entry.at)} · {entry.direction}
                  </time>
                  <span>
                    <strong>{entry.action}</strong> {entry.detail}
                  </span>
                </li>
              ) : (
                <li key={index} className={`${classes.timelineItem} ${classes.timelineRaw}`}>{entry.text}</li>
              ),
            )}
          </ol>
        )}
      </div>
    </div>
  );
}
