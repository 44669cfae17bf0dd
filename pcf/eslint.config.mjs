// pcf-scripts lints the control with the nearest flat config during every build (ESLint 9 has no
// other format). This one is the repository's config plus the Power Apps checker rules, which
// only make sense for code that runs in a model-driven app. Root patterns such as "pcf/**" are
// relative to the root, so the browser globals are declared again for this folder.
import powerApps from "@microsoft/eslint-plugin-power-apps";
import globals from "globals";
import root from "../eslint.config.mjs";

export default [
  ...root,
  {
    files: ["**/*.{ts,tsx}"],
    plugins: { "@microsoft/power-apps": powerApps },
    languageOptions: { globals: { ...globals.browser, ComponentFramework: "readonly" } },
    rules: powerApps.configs.paCheckerHosted.rules,
  },
];
