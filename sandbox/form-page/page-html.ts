/** Plain styles in the spirit of the Unified Interface; the code component brings its own (Fluent). */
const STYLES = `
body { margin: 0; font: 14px "Segoe UI", system-ui, sans-serif; color: #323130; background: #faf9f8; }
.top-nav { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: #002050; color: #fff; }
.top-nav a { color: #fff; }
.top-nav .spacer { flex: 1; }
main { padding: 0 16px 32px; max-width: 1100px; flex: 1; min-width: 0; }
.app-body { display: flex; }
.site-map { width: 220px; flex: none; background: #f3f2f1; border-right: 1px solid #edebe9; min-height: calc(100vh - 40px); padding: 8px 0; }
.site-map .app-name { font-weight: 600; font-size: 16px; padding: 4px 12px 8px; }
.site-map .area-title { font-weight: 600; padding: 8px 12px 2px; color: #605e5c; text-transform: uppercase; font-size: 11px; }
.site-map .group-title { padding: 4px 12px; color: #605e5c; font-size: 12px; }
.site-map a, .site-map span { display: block; padding: 4px 12px 4px 20px; color: #323130; text-decoration: none; }
.site-map a.current { background: #e1dfdd; border-left: 3px solid #0078d4; padding-left: 17px; }
iframe.web-resource { width: 100%; height: calc(100vh - 60px); border: 0; }
a.command { display: inline-block; text-decoration: none; border: 1px solid #0078d4; background: #0078d4; color: #fff; border-radius: 2px; padding: 5px 12px; }
.command-bar { display: flex; flex-wrap: wrap; gap: 4px; padding: 8px 0; border-bottom: 1px solid #edebe9; }
button.command { border: 1px solid #8a8886; background: #fff; border-radius: 2px; padding: 5px 12px; cursor: pointer; }
button.command.primary, .modal button.primary { background: #0078d4; border-color: #0078d4; color: #fff; }
button.command:disabled { color: #a19f9d; border-color: #edebe9; cursor: default; }
.form-header h1 { margin: 12px 0 0; font-size: 22px; }
.form-name { color: #605e5c; font-size: 12px; }
.notification { margin: 8px 0; padding: 8px 12px; border-radius: 2px; white-space: pre-line; }
.notification-info { background: #f3f2f1; }
.notification-warning { background: #fff4ce; }
.notification-error { background: #fde7e9; color: #a4262c; }
.tab > h2 { font-size: 16px; border-bottom: 2px solid #0078d4; display: inline-block; }
.section { background: #fff; border: 1px solid #edebe9; border-radius: 4px; margin: 12px 0; padding: 12px 16px; }
.section legend { font-weight: 600; padding: 0 4px; }
.row { display: flex; gap: 16px; }
.cell { flex: 1; display: grid; grid-template-columns: 200px 1fr; align-items: center; gap: 8px; margin: 4px 0; }
.cell-custom { display: block; }
.cell input, .cell select, .cell textarea { font: inherit; padding: 4px 6px; border: 1px solid #8a8886; border-radius: 2px; }
.problem { background: #fde7e9; color: #a4262c; padding: 8px 12px; margin: 8px 0; }
table.grid { border-collapse: collapse; width: 100%; background: #fff; }
table.grid th, table.grid td { border-bottom: 1px solid #edebe9; padding: 6px 8px; text-align: left; }
.mono { font-family: Consolas, monospace; font-size: 12px; }
table.grid tr.selected td { background: #deecf9; font-weight: 600; }
.seller-form { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: end; background: #fff; border: 1px solid #edebe9; padding: 12px; }
.seller-form h2 { flex-basis: 100%; margin: 0; font-size: 16px; }
.seller-form label { display: flex; flex-direction: column; font-size: 12px; }
.security-panel { margin: 16px 0; color: #605e5c; }
.security-row { display: flex; gap: 8px; margin: 4px 0; }
.security-row span { width: 260px; font-family: Consolas, monospace; }
.modal-backdrop { position: fixed; inset: 0; background: rgba(0,0,0,.4); display: flex; align-items: center; justify-content: center; z-index: 1000000; }
.modal { background: #fff; padding: 20px 24px; max-width: 560px; box-shadow: 0 6px 24px rgba(0,0,0,.3); }
.modal h2 { margin-top: 0; font-size: 18px; }
.modal-text { white-space: pre-line; }
.modal-buttons { display: flex; gap: 8px; justify-content: flex-end; }
.modal button { border: 1px solid #8a8886; background: #fff; padding: 5px 16px; }
.progress .modal { display: flex; gap: 12px; align-items: center; }
.spinner { width: 16px; height: 16px; border: 2px solid #c7e0f4; border-top-color: #0078d4; border-radius: 50%; animation: spin 1s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
`;

/** The one HTML document of the page: platform libraries first (the PCF bundle expects them as globals), then the page code. */
export interface PageHtmlOptions {
  platformScripts: string[];
  platformAliases: string;
  appScript: string;
}

export function pageHtml(options: PageHtmlOptions): string {
  const scripts = options.platformScripts.map((src) => `<script src="${src}"></script>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Co-sell sandbox</title>
<link rel="icon" href="data:,">
<style>${STYLES}</style>
${scripts}
<script>${options.platformAliases}</script>
</head>
<body>
<div id="page"></div>
<script src="${options.appScript}"></script>
</body>
</html>
`;
}
