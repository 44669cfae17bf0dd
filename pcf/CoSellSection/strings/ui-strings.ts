/**
 * The control's own texts in English (1033) and Italian (1040). This table is the source of the
 * strings/*.resx files (pcf/scripts/generate-manifest.ts writes them together with the manifest);
 * the control reads them back through context.resources.getString, so they are not bundled.
 * Labels that Dataverse already defines (column names, option labels, Yes/No) come from entities/.
 * "{0}" marks a value filled in at run time.
 */
import { opportunityColumn, OpportunityColumns } from "../../../entities/opportunity-columns";
import { SYNC_STATUS_OPTIONS, HOW_CAN_MICROSOFT_HELP_OPTIONS } from "../../../entities/option-sets";
import type { BooleanColumn, Localized } from "../../../entities/column-definition";
import { helpOptionKey } from "./string-keys";

const statusLabel = (code: string): Localized => {
  const option = SYNC_STATUS_OPTIONS.find((o) => o.code === code);
  if (!option) throw new Error(`No sync status option ${code} in entities/`);
  return option.label;
};
const shareColumn = opportunityColumn(OpportunityColumns.shareWithMicrosoftSellers) as BooleanColumn;

const TEXTS = {
  Control_Display: { 1033: "Co-sell section", 1040: "Sezione co-sell" },
  Control_Desc: {
    1033: "Sync switch, co-sell details, Partner Center status, referral answer and audit trail for an opportunity.",
    1040: "Interruttore di sincronizzazione, dettagli co-sell, stato in Partner Center, risposta al referral e registro modifiche di un'opportunità.",
  },
  Section_Title: { 1033: "Co-sell with Microsoft", 1040: "Co-sell con Microsoft" },
  Status_Heading: { 1033: "Partner Center status", 1040: "Stato in Partner Center" },
  Status_NotSynced: statusLabel("NotSynced"),
  Status_Pending: statusLabel("Pending"),
  Status_Synced: statusLabel("Synced"),
  Status_Error: statusLabel("Error"),
  Status_PendingDetail: { 1033: "Sending to Partner Center…", 1040: "Invio a Partner Center in corso…" },
  Status_LastSynced: { 1033: "Last synced {0}", 1040: "Ultima sincronizzazione {0}" },
  Status_ErrorNoReason: {
    1033: "The sync service did not say why. Try Sync now, or ask your administrator to check its log.",
    1040: "Il servizio di sincronizzazione non ha indicato il motivo. Riprova con Sincronizza ora o chiedi all'amministratore di controllarne il log.",
  },
  Status_NotSyncedDetail: {
    1033: "Turn on the switch and save to share this opportunity with Microsoft.",
    1040: "Attiva l'interruttore e salva per condividere questa opportunità con Microsoft.",
  },
  Referral_None: { 1033: "No referral yet.", 1040: "Ancora nessun referral." },
  Referral_Open: { 1033: "Open in Partner Center", 1040: "Apri in Partner Center" },
  Referral_OpensNewTab: { 1033: "(opens in a new tab)", 1040: "(si apre in una nuova scheda)" },
  Help_Placeholder: { 1033: "Choose how Microsoft can help", 1040: "Scegli come può aiutare Microsoft" },
  Share_On: shareColumn.trueLabel,
  Share_Off: shareColumn.falseLabel,
  Help_Locked: {
    1033: "Partner Center keeps the help you asked for: it cannot be changed once chosen.",
    1040: "Partner Center mantiene l'aiuto richiesto: non può essere cambiato una volta scelto.",
  },
  Share_Confirm: {
    1033: "Sharing with Microsoft sellers cannot be undone: once shared, the consent cannot be withdrawn. Share this deal?",
    1040: "La condivisione con i venditori Microsoft è irreversibile: una volta condiviso, il consenso non può essere revocato. Condividere questa trattativa?",
  },
  Share_ConfirmYes: { 1033: "Share with Microsoft sellers", 1040: "Condividi con i venditori Microsoft" },
  Share_NeededForHelp: {
    1033: "Asking Microsoft for help shares the deal with Microsoft sellers: turn on sharing to confirm.",
    1040: "Chiedere aiuto a Microsoft condivide la trattativa con i venditori Microsoft: attiva la condivisione per confermare.",
  },
  Share_Locked: {
    1033: "Shared with Microsoft sellers. This consent cannot be withdrawn.",
    1040: "Condiviso con i venditori Microsoft. Questo consenso non può essere revocato.",
  },
  Sync_On: { 1033: "On", 1040: "Attiva" },
  Sync_Off: { 1033: "Off", 1040: "Disattiva" },
  Solutions_Label: { 1033: "Co-sell solution ids", 1040: "Id delle soluzioni co-sell" },
  Solutions_Placeholder: { 1033: "Type an id like SOL-12345-ABC, then Enter", 1040: "Digita un id come SOL-12345-ABC, poi Invio" },
  Solutions_Add: { 1033: "Add", 1040: "Aggiungi" },
  Solutions_Remove: { 1033: "Remove {0}", 1040: "Rimuovi {0}" },
  Solutions_Invalid: { 1033: "{0} is not a valid solution id", 1040: "{0} non è un id soluzione valido" },
  Solutions_Empty: { 1033: "No solutions yet.", 1040: "Ancora nessuna soluzione." },
  Solutions_ErrorPrefix: { 1033: "A solution id starts with SOL-", 1040: "Un id soluzione inizia con SOL-" },
  Solutions_ErrorDigits: { 1033: "SOL- is followed by exactly 5 digits", 1040: "SOL- è seguito da esattamente 5 cifre" },
  Solutions_ErrorSuffix: {
    1033: "The 5 digits are followed by a dash and 3 letters or digits (SOL-12345-ABC)",
    1040: "Le 5 cifre sono seguite da un trattino e 3 lettere o cifre (SOL-12345-ABC)",
  },
  Solutions_ErrorTooLong: {
    1033: "Too long: a solution id has 13 characters, like SOL-12345-ABC",
    1040: "Troppo lungo: un id soluzione ha 13 caratteri, come SOL-12345-ABC",
  },
  Solutions_ErrorIncomplete: {
    1033: "Not complete yet: a solution id looks like SOL-12345-ABC",
    1040: "Non ancora completo: un id soluzione è come SOL-12345-ABC",
  },
  Solutions_ErrorDuplicate: { 1033: "{0} is already in the list", 1040: "{0} è già nell'elenco" },
  Solutions_ErrorNoRoom: {
    1033: "No room for another id: the list holds at most {0} characters",
    1040: "Non c'è spazio per un altro id: l'elenco contiene al massimo {0} caratteri",
  },
  Answer_Title: { 1033: "Microsoft sent you this referral", 1040: "Microsoft ti ha inviato questo referral" },
  Answer_Prompt: {
    1033: "Accept it to start co-selling, or decline it with a reason.",
    1040: "Accettalo per iniziare il co-sell oppure rifiutalo indicando un motivo.",
  },
  Answer_Accept: { 1033: "Accept", 1040: "Accetta" },
  Answer_Decline: { 1033: "Decline", 1040: "Rifiuta" },
  Answer_DeclineReason: { 1033: "Why are you declining?", 1040: "Perché lo rifiuti?" },
  Answer_DeclineReasonRequired: { 1033: "Enter a reason to decline.", 1040: "Inserisci un motivo per rifiutare." },
  Answer_ConfirmDecline: { 1033: "Decline referral", 1040: "Rifiuta referral" },
  Answer_Cancel: { 1033: "Cancel", 1040: "Annulla" },
  Answer_Accepted: {
    1033: "Accepted. Save the opportunity to send your answer to Microsoft.",
    1040: "Accettato. Salva l'opportunità per inviare la risposta a Microsoft.",
  },
  Answer_Declined: {
    1033: "Declined. Save the opportunity to send your answer to Microsoft.",
    1040: "Rifiutato. Salva l'opportunità per inviare la risposta a Microsoft.",
  },
  ConflictNotice_Title: { 1033: "Changed in Partner Center too", 1040: "Modificato anche in Partner Center" },
  ConflictNotice_KeptCrm: {
    1033: "{0}: this opportunity's value was kept; Partner Center had {1}.",
    1040: "{0}: è stato mantenuto il valore di questa opportunità; in Partner Center era {1}.",
  },
  ConflictNotice_KeptPartnerCenter: {
    1033: "{0}: Partner Center's later change was kept; the value here was {1}.",
    1040: "{0}: è stata mantenuta la modifica più recente di Partner Center; qui il valore era {1}.",
  },
  ConflictNotice_Policy: {
    1033: "The two changes came too close together to tell which was last, so the conflict policy decided.",
    1040: "Le due modifiche sono troppo vicine per stabilire quale sia l'ultima, quindi ha deciso il criterio per i conflitti.",
  },
  Audit_Show: { 1033: "Show audit trail ({0})", 1040: "Mostra registro modifiche ({0})" },
  Audit_Hide: { 1033: "Hide audit trail", 1040: "Nascondi registro modifiche" },
  Audit_Empty: { 1033: "No changes recorded yet.", 1040: "Nessuna modifica registrata." },
  Field_Masked: { 1033: "Hidden by field security", 1040: "Nascosto dalla sicurezza del campo" },
} satisfies Record<string, Localized>;

export type UiStringKey = keyof typeof TEXTS;
export const UI_STRINGS: Readonly<Record<UiStringKey, Localized>> = TEXTS;

/** Option labels for "How can Microsoft help?" when the host gives no option metadata (pcf-start). */
export const HELP_OPTION_STRINGS: ReadonlyArray<readonly [string, Localized]> = HOW_CAN_MICROSOFT_HELP_OPTIONS.map(
  (o) => [helpOptionKey(o.value), o.label] as const,
);
