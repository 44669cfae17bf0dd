import type { Messages } from "./messages";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const italian: Messages = {
  dialogTitle: "Co-sell Partner Center",
  ok: "OK",
  cancel: "Annulla",
  saving: "Salvataggio in corso…",
  syncing: "Sincronizzazione con Partner Center in corso…",
  queueingSelected: "Richiesta di sincronizzazione delle opportunità selezionate…",
  syncDone: "Questa opportunità è sincronizzata con Partner Center.",
  syncFailed: (reason) => `La sincronizzazione con Partner Center non è riuscita: ${reason}`,
  syncStillPending: (seconds) =>
    `Partner Center non ha risposto entro ${seconds} secondi. La sincronizzazione prosegue in background; ` +
    "il campo Stato sincronizzazione mostrerà il risultato.",
  saveFailed: (detail) => `Non è stato possibile salvare l'opportunità, quindi nulla è stato inviato a Partner Center: ${detail}`,
  unexpectedError: (detail) => `Si è verificato un errore: ${detail}`,
  noReferralLink: "Questa opportunità non ha ancora un link a Partner Center. Sincronizzala prima.",
  unsafeReferralLink: (link) => `Il link al referral "${link}" non è un indirizzo web, quindi non è stato aperto.`,
  referralAccepted: "Referral accettato. Partner Center sarà aggiornato tra pochi secondi.",
  declineReasonPrompt: "Perché rifiuti questo referral? Microsoft vedrà il motivo in Partner Center.",
  declineReasonRequired: "Per rifiutare un referral serve un motivo. Non è stato modificato nulla.",
  referralDeclined: "Referral rifiutato. Partner Center sarà aggiornato tra pochi secondi.",
  stopSyncingTitle: "Interrompi la sincronizzazione con Partner Center",
  stopSyncingText:
    "Interrompere la sincronizzazione di questa opportunità con Partner Center? Il referral resta in " +
    "Partner Center, ma le modifiche non vengono più scambiate.",
  stopSyncingConfirm: "Interrompi",
  syncStopped: "Questa opportunità non è più sincronizzata con Partner Center.",
  nothingSelected: "Seleziona prima almeno un'opportunità.",
  syncSelectedSummary: ({ queued, skippedNotSyncing, failed, firstFailure }) =>
    [
      `${plural(queued, "opportunità messa", "opportunità messe")} in coda per la sincronizzazione con Partner Center.`,
      skippedNotSyncing > 0
        ? `${plural(skippedNotSyncing, "opportunità ignorata", "opportunità ignorate")} perché "Sincronizza con Partner Center" è disattivato.`
        : "",
      failed > 0 ? `${plural(failed, "opportunità non è stata messa", "opportunità non sono state messe")} in coda: ${firstFailure ?? "errore sconosciuto"}` : "",
    ].filter(Boolean).join("\n"),
  syncErrorNotification: (reason) => `Sincronizzazione con Partner Center non riuscita: ${reason}`,
  syncErrorWithoutReason: "Sincronizzazione con Partner Center non riuscita. Usa Sincronizza ora per riprovare.",
  requirementsOnSwitchOn:
    "Partner Center richiederà: un account cliente con il paese, il valore della trattativa, la valuta, " +
    "la data di chiusura, almeno un id di soluzione in Prodotti (uno per riga, come SOL-12345-ABC) e un " +
    "contatto del cliente se chiedi aiuto a Microsoft.",
  saveBlocked: (problems) =>
    `Questa opportunità non può ancora essere condivisa con Partner Center:\n- ${problems.join("\n- ")}`,
  missingAccount: "Scegli l'account cliente.",
  accountWithoutCountry: (accountName) => `L'account cliente "${accountName}" non ha il paese nell'indirizzo.`,
  accountNotReadable: (detail) => `Non è stato possibile leggere l'account cliente (${detail}).`,
  missingDealValue: "Inserisci il valore della trattativa (Ricavi stimati).",
  invalidDealValue: "Il valore della trattativa deve essere maggiore di zero.",
  missingCurrency: "Scegli la valuta.",
  missingCloseDate: "Inserisci la data di chiusura prevista.",
  missingSolution: "Aggiungi almeno un id di soluzione co-sell in Prodotti, come SOL-12345-ABC.",
  invalidSolutionIds: (ids) => `Queste righe in Prodotti non sono id di soluzione (atteso SOL-12345-ABC): ${ids.join(", ")}.`,
  missingContact: "Scegli un contatto del cliente: Microsoft ha bisogno di un referente quando chiedi aiuto.",
  wonTooSoon: (until) =>
    `Partner Center potrebbe rifiutare la registrazione della trattativa se viene segnata come vinta entro 72 ore dalla creazione del referral: attendi fino al ${until.toISOString().slice(0, 16).replace("T", " ")} UTC prima di chiuderla come vinta.`,
  missingShareConsent: "Attiva \"Condividi con i venditori Microsoft\" nella sezione co-sell: chiedere aiuto a Microsoft condivide la trattativa con i venditori Microsoft, e non si può annullare.",
};
