import * as React from "react";
import { DefaultButton, PrimaryButton, TextField, getId, type ITextField } from "@fluentui/react";
import type { AnswerView } from "./CoSellSection.types";
import type { Translate } from "../strings/string-keys";
import { classes } from "./styles";

export interface ReferralAnswerProps {
  t: Translate;
  answer: AnswerView;
  onAccept(): void;
  onDecline(reason: string): void;
}

/** Accept / Decline for an incoming Microsoft referral; Decline asks for the reason first. */
export function ReferralAnswer({ t, answer, onAccept, onDecline }: ReferralAnswerProps): React.ReactElement {
  const [declining, setDeclining] = React.useState(false);
  const [reason, setReason] = React.useState("");
  const [triedEmpty, setTriedEmpty] = React.useState(false);
  const [titleId] = React.useState(() => getId("pcc-answer-title"));
  const reasonField = React.useRef<ITextField>(null);

  React.useEffect(() => {
    if (declining) reasonField.current?.focus();
  }, [declining]);

  const confirm = () => {
    if (!reason.trim()) {
      setTriedEmpty(true);
      reasonField.current?.focus();
      return;
    }
    onDecline(reason);
  };

  return (
    <div className={classes.answer} role="group" aria-labelledby={titleId}>
      <h3 id={titleId} className={classes.heading}>{t("Answer_Title")}</h3>
      <div>{t("Answer_Prompt")}</div>
      {declining ? (
        <>
          <TextField
            componentRef={reasonField}
            label={t("Answer_DeclineReason")}
            required
            multiline
            autoAdjustHeight
            maxLength={answer.reasonMaxLength}
            value={reason}
            errorMessage={triedEmpty && !reason.trim() ? t("Answer_DeclineReasonRequired") : undefined}
            onChange={(_, next) => setReason(next ?? "")}
          />
          <div className={classes.buttons}>
            <PrimaryButton text={t("Answer_ConfirmDecline")} onClick={confirm} />
            <DefaultButton
              text={t("Answer_Cancel")}
              onClick={() => {
                setDeclining(false);
                setReason("");
                setTriedEmpty(false);
              }}
            />
          </div>
        </>
      ) : (
        <div className={classes.buttons}>
          <PrimaryButton text={t("Answer_Accept")} disabled={!answer.canAnswer} onClick={onAccept} />
          <DefaultButton text={t("Answer_Decline")} disabled={!answer.canDecline} onClick={() => setDeclining(true)} />
        </div>
      )}
    </div>
  );
}
