/** The solution publisher: prefix for every custom name and option value prefix for every choice. */
export const PUBLISHER = {
  uniqueName: "PartnerCenterCoSellPublisher",
  displayName: { 1033: "Partner Center Co-sell", 1040: "Partner Center Co-sell" },
  description: {
    1033: "Publisher of the Partner Center co-sell connector for Dynamics 365.",
    1040: "Editore del connettore co-sell di Partner Center per Dynamics 365.",
  },
  customizationPrefix: "pcc",
  customizationOptionValuePrefix: 58120,
} as const;

export const SOLUTION = {
  uniqueName: "PartnerCenterCoSell",
  displayName: { 1033: "Partner Center Co-sell", 1040: "Co-sell Partner Center" },
  description: {
    1033: "Co-sell with Microsoft from Dynamics 365: opportunity columns, the co-sell form section, command bar and views.",
    1040: "Co-sell con Microsoft da Dynamics 365: colonne dell'opportunità, sezione co-sell del modulo, barra dei comandi e viste.",
  },
} as const;

/** Smallest and largest option value the publisher may use (prefix × 10000 … +9999). */
export const OPTION_VALUE_RANGE = {
  min: PUBLISHER.customizationOptionValuePrefix * 10000,
  max: PUBLISHER.customizationOptionValuePrefix * 10000 + 9999,
} as const;
