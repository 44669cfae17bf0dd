/**
 * The HTML of the Sync health web resource: a shell that loads the page's script (relative to itself,
 * as web resources may reference each other) with styles in the spirit of the Unified Interface.
 * Node-side: the solution part writes it into the zip.
 */
import { HEALTH_SCRIPT_RELATIVE_URL } from "./public-names";

const STYLES = `
body { margin: 0; padding: 12px 20px; font: 14px "Segoe UI", system-ui, sans-serif; color: #323130; background: #faf9f8; }
header { display: flex; align-items: center; gap: 16px; }
h1 { font-size: 20px; margin: 8px 0; }
h2 { font-size: 16px; margin: 16px 0 8px; }
section { background: #fff; border: 1px solid #edebe9; border-radius: 4px; padding: 4px 16px 12px; margin: 12px 0; }
.banner { padding: 8px 12px; border-radius: 2px; margin: 8px 0; }
.banner.ok { background: #dff6dd; }
.banner.warning { background: #fff4ce; }
.banner.error { background: #fde7e9; color: #a4262c; }
.banner p { margin: 8px 0 0; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 4px 12px 4px 0; vertical-align: top; white-space: pre-line; }
th { font-weight: 600; color: #605e5c; }
button { font: inherit; border: 1px solid #8a8886; background: #fff; border-radius: 2px; padding: 5px 12px; cursor: pointer; }
button.primary { background: #0078d4; border-color: #0078d4; color: #fff; }
button:disabled { background: #f3f2f1; border-color: #edebe9; color: #a19f9d; cursor: default; }
`;

export function healthPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sync health</title>
<style>${STYLES}</style>
</head>
<body>
<div id="health"></div>
<script src="${HEALTH_SCRIPT_RELATIVE_URL}"></script>
</body>
</html>
`;
}
