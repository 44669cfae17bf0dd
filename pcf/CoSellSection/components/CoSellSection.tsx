import * as React from "react";
import { DefaultButton, Dropdown, Label, MessageBar, MessageBarType, PrimaryButton, Toggle } from "@fluentui/react";
import { AuditTimeline } from "./AuditTimeline";
import type { CoSellSectionProps } from "./CoSellSection.types";
import { ReferralAnswer } from "./ReferralAnswer";
import { SolutionIdsInput } from "./SolutionIdsInput";
import { StatusPanel } from "./StatusPanel";
import { classes } from "./styles";

/** Drawn here so the control does not depend on the host having registered Fluent's icon font. */
function Caret(): React.ReactElement {
  return (
    <span className={classes.caret} aria-hidden="true">
      <svg width="12" height="12" viewBox="0 0 12 12"><path d="M2 4l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.5" /></svg>
    </span>
  );
}

function Masked({ label, text }: { label: string; text: string }): React.ReactElement {
  return (
    <div>
      <Label>{label}</Label>
      <div className={classes.subtle}>{text}</div>
    </div>
  );
}

/** The co-sell section of the opportunity form. */
export function CoSellSection(props: CoSellSectionProps): React.ReactElement {
  const { t, sync, help, share } = props;
  // Remembered here because the answer panel disappears as soon as the host echoes the new status.
  const [answered, setAnswered] = React.useState<"accepted" | "declined" | null>(null);
  // Sharing with Microsoft sellers is irreversible: turning it on asks for an explicit confirmation first.
  const [confirmingShare, setConfirmingShare] = React.useState(false);

  return (
    <section className={classes.root} aria-label={t("Section_Title")}>
      <div className={classes.fields}>
        <div className={classes.field}>
          {sync.masked ? (
            <Masked label={t("syncWithPartnerCenter_Display")} text={t("Field_Masked")} />
          ) : (
            <Toggle
              label={t("syncWithPartnerCenter_Display")}
              checked={sync.value}
              disabled={!sync.editable}
              onText={t("Sync_On")}
              offText={t("Sync_Off")}
              onChange={(_, checked) => props.onSyncChange(checked === true)}
            />
          )}
        </div>
        <div className={classes.field}>
          {help.masked ? (
            <Masked label={t("howCanMicrosoftHelp_Display")} text={t("Field_Masked")} />
          ) : (
            <>
              <Dropdown
                label={t("howCanMicrosoftHelp_Display")}
                placeholder={t("Help_Placeholder")}
                options={help.options}
                selectedKey={help.value}
                disabled={!help.editable || help.locked}
                onRenderCaretDown={Caret}
                onChange={(_, option) => props.onHelpChange(option ? Number(option.key) : null)}
              />
              {help.locked && <div className={classes.subtle}>{t("Help_Locked")}</div>}
            </>
          )}
        </div>
        <div className={classes.field}>
          {share.masked ? (
            <Masked label={t("shareWithMicrosoftSellers_Display")} text={t("Field_Masked")} />
          ) : (
            <>
              <Toggle
                label={t("shareWithMicrosoftSellers_Display")}
                checked={share.value || confirmingShare}
                disabled={!share.editable || share.locked || confirmingShare}
                onText={t("Share_On")}
                offText={t("Share_Off")}
                onChange={(_, checked) => (checked === true ? setConfirmingShare(true) : props.onShareChange(false))}
              />
              {confirmingShare && (
                <div role="alertdialog" aria-label={t("shareWithMicrosoftSellers_Display")}>
                  <div className={classes.subtle}>{t("Share_Confirm")}</div>
                  <PrimaryButton
                    text={t("Share_ConfirmYes")}
                    onClick={() => {
                      setConfirmingShare(false);
                      props.onShareChange(true);
                    }}
                  />
                  <DefaultButton text={t("Answer_Cancel")} onClick={() => setConfirmingShare(false)} />
                </div>
              )}
              {share.locked && <div className={classes.subtle}>{t("Share_Locked")}</div>}
              {!share.value && !confirmingShare && help.value !== null && <div className={classes.subtle}>{t("Share_NeededForHelp")}</div>}
            </>
          )}
        </div>
      </div>

      {props.solutions.masked ? (
        <Masked label={t("Solutions_Label")} text={t("Field_Masked")} />
      ) : (
        <SolutionIdsInput t={t} solutions={props.solutions} onChange={props.onSolutionsChange} />
      )}

      <StatusPanel t={t} locale={props.locale} clock={props.clock} status={props.status} referral={props.referral} />

      {props.conflictNotice && (
        // Rendered at once: the notice is there when the form opens, not announced as news.
        <MessageBar messageBarType={MessageBarType.warning} isMultiline delayedRender={false}>
          <strong>{t("ConflictNotice_Title")}</strong>
          <ul className={classes.conflictList}>
            {props.conflictNotice.fields.map((f) => (
              <li key={f.label}>{t(f.kept === "crm" ? "ConflictNotice_KeptCrm" : "ConflictNotice_KeptPartnerCenter", f.label, f.otherValue)}</li>
            ))}
          </ul>
          {props.conflictNotice.fields.some((f) => f.settledBy === "policy") && <div>{t("ConflictNotice_Policy")}</div>}
        </MessageBar>
      )}

      {props.answer && !answered && (
        <ReferralAnswer
          t={t}
          answer={props.answer}
          onAccept={() => {
            props.onAccept();
            setAnswered("accepted");
          }}
          onDecline={(reason) => {
            props.onDecline(reason);
            setAnswered("declined");
          }}
        />
      )}
      {answered && (
        <div className={classes.notice} role="status">
          {answered === "accepted" ? t("Answer_Accepted") : t("Answer_Declined")}
        </div>
      )}

      <AuditTimeline t={t} locale={props.locale} audit={props.audit} label={t("audit_Display")} />
    </section>
  );
}
