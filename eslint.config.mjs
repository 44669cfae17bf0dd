// One flat ESLint config for the whole repository (ESLint 9 requires the flat format; pcf-scripts
// lints the PCF control with it during its build too).
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/out/**", "**/generated/**", "stubs/**", "test/bench/results/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["pcf/**/*.{ts,tsx}", "webresources/**/*.ts", "sandbox/form-page/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser, ComponentFramework: "readonly", Xrm: "readonly" } },
  },
);
