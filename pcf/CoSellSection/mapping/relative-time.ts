/** "3 minutes ago" / "3 minuti fa" in the user's language, from the browser's Intl data. */

const STEPS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
  ["year", Number.POSITIVE_INFINITY],
];

export function formatRelativeTime(then: Date, now: Date, locale: string): string {
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  // A timestamp slightly in the future (clock skew between server and browser) reads as "now".
  let amount = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  if (amount < 45) return format.format(0, "second");
  for (const [unit, size] of STEPS) {
    if (amount < size) return format.format(-Math.floor(amount), unit);
    amount /= size;
  }
  return format.format(-Math.floor(amount), "year");
}
