import * as React from "react";
import { Link, Spinner, SpinnerSize } from "@fluentui/react";
import { formatRelativeTime } from "../mapping/relative-time";
import type { CoSellSectionProps } from "./CoSellSection.types";
import { classes } from "./styles";

type StatusPanelProps = Pick<CoSellSectionProps, "t" | "locale" | "clock" | "status" | "referral">;

/** Re-render every 30 s so "last synced 3 minutes ago" does not go stale while the form is open. */
function useTicker(intervalMs: number): void {
  const [, setTick] = React.useState(0);
  React.useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
}

function StatusLine({ t, locale, clock, status }: Omit<StatusPanelProps, "referral">): React.ReactElement {
  useTicker(30_000);
  switch (status.kind) {
    case "synced": {
      const at = status.lastSyncedOn;
      return (
        <div className={classes.statusLine}>
          <span className={classes.synced}>{t("Status_Synced")}</span>
          {at && (
            <span className={classes.subtle} title={at.toLocaleString(locale)}>
              {t("Status_LastSynced", formatRelativeTime(at, clock(), locale))}
            </span>
          )}
        </div>
      );
    }
    case "pending":
      return (
        <div className={classes.statusLine}>
          <Spinner size={SpinnerSize.small} label={t("Status_Pending")} labelPosition="right" />
          <span className={classes.subtle}>{t("Status_PendingDetail")}</span>
        </div>
      );
    case "error":
      return (
        <div className={classes.error}>
          <strong>{t("Status_Error")}: </strong>
          {status.reason ?? t("Status_ErrorNoReason")}
        </div>
      );
    case "masked":
      return <div className={classes.subtle}>{t("Field_Masked")}</div>;
    case "notSynced":
      return (
        <div className={classes.statusLine}>
          <span>{t("Status_NotSynced")}</span>
          <span className={classes.subtle}>{t("Status_NotSyncedDetail")}</span>
        </div>
      );
  }
}

/** Where the sync stands, and which referral the opportunity is linked to. */
export function StatusPanel(props: StatusPanelProps): React.ReactElement {
  const { t, referral } = props;
  return (
    <div className={classes.panel}>
      <h3 className={classes.heading}>{t("Status_Heading")}</h3>
      {/* Announced when the backend's answer arrives (Pending → Synced / Error) without moving focus. */}
      <div aria-live="polite">
        <StatusLine {...props} />
      </div>
      <div className={classes.referral}>
        <span>
          <span className={classes.subtle}>{t("referralIdentifier_Display")}: </span>
          {referral.id.masked ? t("Field_Masked") : (referral.id.value ?? t("Referral_None"))}
        </span>
        {referral.link && (
          <Link href={referral.link} target="_blank" rel="noopener noreferrer">
            {t("Referral_Open")}
            <span className={classes.screenReaderOnly}> {t("Referral_OpensNewTab")}</span>
          </Link>
        )}
        {referral.microsoftCrmId && (
          <span>
            <span className={classes.subtle}>{t("microsoftCrmIdentifier_Display")}: </span>
            {referral.microsoftCrmId}
          </span>
        )}
        {referral.microsoftMsxId && (
          <span>
            <span className={classes.subtle}>{t("microsoftMsxId_Display")}: </span>
            {referral.microsoftMsxId}
          </span>
        )}
      </div>
    </div>
  );
}
