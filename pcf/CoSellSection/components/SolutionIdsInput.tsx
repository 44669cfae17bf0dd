import * as React from "react";
import { DefaultButton, Label, TextField, getId } from "@fluentui/react";
import { addSolutionIds, checkDraft, isValidSolutionId, type SolutionIdProblem } from "../mapping/solution-ids";
import type { Translate } from "../strings/string-keys";
import type { CoSellSectionProps } from "./CoSellSection.types";
import { classes } from "./styles";

export interface SolutionIdsInputProps {
  t: Translate;
  solutions: CoSellSectionProps["solutions"];
  onChange(ids: string[]): void;
}

function problemText(t: Translate, problem: SolutionIdProblem, id: string, maxLength: number): string {
  switch (problem) {
    case "prefix": return t("Solutions_ErrorPrefix");
    case "digits": return t("Solutions_ErrorDigits");
    case "suffix": return t("Solutions_ErrorSuffix");
    case "tooLong": return t("Solutions_ErrorTooLong");
    case "incomplete": return t("Solutions_ErrorIncomplete");
    case "duplicate": return t("Solutions_ErrorDuplicate", id);
    case "noRoom": return t("Solutions_ErrorNoRoom", maxLength);
  }
}

/** Tag-style editor for pcc_products: the ids as removable tags and a box to add more. */
export function SolutionIdsInput({ t, solutions, onChange }: SolutionIdsInputProps): React.ReactElement {
  const [draft, setDraft] = React.useState("");
  // Set when Add/Enter was refused; cleared as soon as the seller edits the draft again.
  const [refused, setRefused] = React.useState<{ problem: SolutionIdProblem; id: string } | null>(null);
  const [ids] = React.useState(() => ({ label: getId("pcc-solutions-label"), input: getId("pcc-solutions-input") }));
  const { value, editable, maxLength } = solutions;

  const shown = refused ?? checkDraft(value, draft);
  const message = shown ? problemText(t, shown.problem, shown.id, maxLength) : undefined;

  const add = () => {
    if (!draft.trim()) return;
    const result = addSolutionIds(value, draft, maxLength);
    if (result.ok) {
      onChange(result.ids);
      setDraft("");
      setRefused(null);
    } else {
      setRefused({ problem: result.problem, id: result.id });
    }
  };

  return (
    <div>
      <Label id={ids.label} htmlFor={ids.input}>{t("Solutions_Label")}</Label>
      {value.length === 0 ? (
        <div className={classes.subtle}>{t("Solutions_Empty")}</div>
      ) : (
        <ul className={classes.tags} aria-labelledby={ids.label}>
          {value.map((id) => {
            const valid = isValidSolutionId(id);
            return (
              <li key={id} className={valid ? classes.tag : `${classes.tag} ${classes.tagInvalid}`}>
                <span title={valid ? undefined : t("Solutions_Invalid", id)}>{id}</span>
                {!valid && <span className={classes.screenReaderOnly}>{t("Solutions_Invalid", id)}</span>}
                {editable && (
                  <button type="button" className={classes.tagRemove} aria-label={t("Solutions_Remove", id)}
                    onClick={() => onChange(value.filter((other) => other !== id))}>
                    ×
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {editable && (
        <div className={classes.addRow}>
          <TextField
            className={classes.addInput}
            id={ids.input}
            ariaLabel={t("Solutions_Label")}
            placeholder={t("Solutions_Placeholder")}
            value={draft}
            errorMessage={message}
            autoComplete="off"
            spellCheck={false}
            onChange={(_, next) => {
              setDraft(next ?? "");
              setRefused(null);
            }}
            onKeyDown={(event) => {
              if (event.key === "Enter" || event.key === ",") {
                event.preventDefault();
                add();
              }
            }}
          />
          <DefaultButton text={t("Solutions_Add")} onClick={add} disabled={!draft.trim()} />
        </div>
      )}
    </div>
  );
}
