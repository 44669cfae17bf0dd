/** Class names for the section. Colours follow Fluent's shared palette so they read as D365. */
import { mergeStyleSets } from "@fluentui/react";

export const classes = mergeStyleSets({
  // Left-aligned explicitly: hosts (pcf-start, some form layouts) centre text in the container.
  root: { display: "flex", flexDirection: "column", gap: 16, width: "100%", minWidth: 0, boxSizing: "border-box", textAlign: "left" },
  // Each field takes at least 220px and wraps onto its own line on a phone.
  fields: { display: "flex", flexWrap: "wrap", gap: "12px 24px", alignItems: "flex-start" },
  field: { flex: "1 1 220px", minWidth: 0 },
  heading: { margin: "0 0 4px", fontSize: 14, fontWeight: 600 },
  panel: { border: "1px solid #edebe9", borderRadius: 4, padding: 12, display: "flex", flexDirection: "column", gap: 8 },
  statusLine: { display: "flex", flexWrap: "wrap", alignItems: "center", gap: "4px 12px" },
  synced: { color: "#107c10", fontWeight: 600 },
  subtle: { color: "#605e5c" },
  error: { background: "#fde7e9", color: "#a4262c", borderRadius: 2, padding: "8px 12px", overflowWrap: "anywhere" },
  referral: { display: "flex", flexWrap: "wrap", gap: "4px 16px", alignItems: "baseline", overflowWrap: "anywhere" },
  answer: { border: "1px solid #0078d4", borderRadius: 4, padding: 12, display: "flex", flexDirection: "column", gap: 8 },
  buttons: { display: "flex", flexWrap: "wrap", gap: 8 },
  notice: { background: "#dff6dd", borderRadius: 2, padding: "8px 12px" },
  conflictList: { margin: "4px 0", paddingLeft: 18 },
  tags: { listStyle: "none", margin: "4px 0", padding: 0, display: "flex", flexWrap: "wrap", gap: 6 },
  tag: {
    display: "inline-flex", alignItems: "center", gap: 2, background: "#f3f2f1", borderRadius: 2,
    paddingLeft: 8, fontFamily: "Consolas, monospace", fontSize: 13,
  },
  tagInvalid: { background: "#fde7e9", color: "#a4262c", textDecoration: "underline wavy" },
  tagRemove: {
    border: "none", background: "transparent", cursor: "pointer", padding: "2px 8px", fontSize: 14, lineHeight: "20px",
    selectors: { ":hover": { background: "#e1dfdd" }, ":focus-visible": { outline: "2px solid #0078d4" } },
  },
  addRow: { display: "flex", gap: 8, alignItems: "flex-start", flexWrap: "wrap" },
  addInput: { flex: "1 1 220px", minWidth: 0 },
  timeline: { listStyle: "none", margin: 0, padding: 0, borderLeft: "2px solid #c8c6c4" },
  timelineItem: { position: "relative", padding: "4px 0 8px 12px", overflowWrap: "anywhere" },
  timelineTime: { color: "#605e5c", fontSize: 12, display: "block" },
  timelineRaw: { fontFamily: "Consolas, monospace", fontSize: 12, whiteSpace: "pre-wrap" },
  caret: { display: "flex", alignItems: "center", height: "100%", color: "#605e5c" },
  screenReaderOnly: {
    position: "absolute", width: 1, height: 1, margin: -1, padding: 0, overflow: "hidden", clip: "rect(0,0,0,0)", border: 0,
  },
});
