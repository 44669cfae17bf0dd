/** The Sync health page's words, English and Italian (the user's Dynamics 365 language picks). */
export interface HealthMessages {
  title: string;
  refresh: string;
  service: string;
  running: (instances: number, version: string) => string;
  notRunning: string;
  lastHeartbeat: (when: string) => string;
  neverBeat: string;
  whatToCheck: string;
  checks: string[];
  instance: string;
  lastBeat: string;
  startedOn: string;
  lastDataverseWebhook: string;
  lastPartnerCenterWebhook: string;
  lastReconcile: string;
  signIn: string;
  signInExpires: string;
  webhookHolder: string;
  never: string;
  signInExpiring: (when: string) => string;
  signInProblem: string;
  webhookNotOurs: string;
  byStatus: string;
  countsTruncated: string;
  noCoSell: string;
  oldestPending: string;
  noPending: string;
  pendingSince: (when: string) => string;
  latestErrors: (count: number) => string;
  noErrors: string;
  retryAll: string;
  retried: (count: number) => string;
  couldNotLoad: (message: string) => string;
}

const en: HealthMessages = {
  title: "Sync health",
  refresh: "Refresh",
  service: "Sync service",
  running: (instances, version) => `The sync service is running: ${instances} instance${instances === 1 ? "" : "s"}, version ${version}.`,
  notRunning: "The sync service is not running.",
  lastHeartbeat: (when) => `Its last heartbeat was ${when}; it writes one every minute.`,
  neverBeat: "It has never written a heartbeat in this org.",
  whatToCheck: "What to check:",
  checks: [
    "Is the service's process or container running? Restart it (`cosell serve`) and read its log.",
    "Run `cosell doctor` on its host: it checks the configuration, both sign-ins and the webhooks.",
    "Its ops port answers /healthz and /readyz when it is up.",
    "Its application user needs the \"Partner Center Co-sell Sync Service\" role: without it the service cannot write its heartbeat here.",
    "Changes made meanwhile are not lost: Dynamics 365 and Partner Center changes are caught up when it runs again.",
  ],
  instance: "Instance",
  lastBeat: "Last heartbeat",
  startedOn: "Started",
  lastDataverseWebhook: "Last webhook from Dynamics 365",
  lastPartnerCenterWebhook: "Last webhook from Partner Center",
  lastReconcile: "Last catch-up",
  signIn: "Partner Center sign-in",
  signInExpires: "Sign-in expires",
  webhookHolder: "Partner Center webhook registration",
  never: "never",
  signInExpiring: (when) => `The Partner Center sign-in expires ${when}: run \`cosell login\` as a Referrals admin before then, or the sync stops.`,
  signInProblem: "The Partner Center sign-in has a problem: see below.",
  webhookNotOurs: "Partner Center sends its events somewhere else: run `cosell register-webhooks` (with --replace if that receiver is an old one).",
  byStatus: "Co-sell opportunities by sync status",
  countsTruncated: "Only the first 5,000 are counted.",
  noCoSell: "No opportunity is synced with Partner Center yet.",
  oldestPending: "Oldest pending",
  noPending: "Nothing is waiting to sync.",
  pendingSince: (when) => `waiting since ${when}`,
  latestErrors: (count) => `Latest errors (${count} in all)`,
  noErrors: "No sync errors.",
  retryAll: "Retry all",
  retried: (count) => `Asked the sync service to retry ${count} opportunit${count === 1 ? "y" : "ies"}; they update within seconds.`,
  couldNotLoad: (message) => `Could not read the sync health: ${message}`,
};

const it: HealthMessages = {
  title: "Stato della sincronizzazione",
  refresh: "Aggiorna",
  service: "Servizio di sincronizzazione",
  running: (instances, version) => `Il servizio di sincronizzazione è in esecuzione: ${instances} istanz${instances === 1 ? "a" : "e"}, versione ${version}.`,
  notRunning: "Il servizio di sincronizzazione non è in esecuzione.",
  lastHeartbeat: (when) => `Il suo ultimo heartbeat risale a ${when}; ne scrive uno ogni minuto.`,
  neverBeat: "Non ha mai scritto un heartbeat in questa organizzazione.",
  whatToCheck: "Cosa controllare:",
  checks: [
    "Il processo o il container del servizio è in esecuzione? Riavviarlo (`cosell serve`) e leggerne il log.",
    "Eseguire `cosell doctor` sul suo host: controlla la configurazione, entrambi gli accessi e i webhook.",
    "La sua porta ops risponde a /healthz e /readyz quando è attivo.",
    "Il suo utente applicazione ha bisogno del ruolo \"Partner Center Co-sell Sync Service\": senza, il servizio non può scrivere qui il suo heartbeat.",
    "Le modifiche fatte nel frattempo non vanno perse: vengono recuperate quando il servizio riparte.",
  ],
  instance: "Istanza",
  lastBeat: "Ultimo heartbeat",
  startedOn: "Avviata",
  lastDataverseWebhook: "Ultimo webhook da Dynamics 365",
  lastPartnerCenterWebhook: "Ultimo webhook da Partner Center",
  lastReconcile: "Ultimo recupero",
  signIn: "Accesso a Partner Center",
  signInExpires: "Scadenza accesso",
  webhookHolder: "Registrazione webhook di Partner Center",
  never: "mai",
  signInExpiring: (when) => `L'accesso a Partner Center scade il ${when}: eseguire \`cosell login\` come amministratore Referral prima di allora, o la sincronizzazione si ferma.`,
  signInProblem: "L'accesso a Partner Center ha un problema: vedere sotto.",
  webhookNotOurs: "Partner Center invia i suoi eventi altrove: eseguire `cosell register-webhooks` (con --replace se quel ricevitore è vecchio).",
  byStatus: "Opportunità co-sell per stato di sincronizzazione",
  countsTruncated: "Sono contate solo le prime 5.000.",
  noCoSell: "Nessuna opportunità è ancora sincronizzata con Partner Center.",
  oldestPending: "In attesa da più tempo",
  noPending: "Nulla è in attesa di sincronizzazione.",
  pendingSince: (when) => `in attesa dal ${when}`,
  latestErrors: (count) => `Ultimi errori (${count} in tutto)`,
  noErrors: "Nessun errore di sincronizzazione.",
  retryAll: "Riprova tutto",
  retried: (count) => `Chiesto al servizio di riprovare ${count} opportunità; si aggiornano entro pochi secondi.`,
  couldNotLoad: (message) => `Impossibile leggere lo stato della sincronizzazione: ${message}`,
};

export function healthMessages(languageId: number): HealthMessages {
  return languageId === 1040 ? it : en;
}
