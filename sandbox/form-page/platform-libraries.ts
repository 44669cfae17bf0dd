/**
 * The platform libraries a virtual (React) code component is built against and does not bundle:
 * the Unified Interface provides React 16.14 and Fluent UI 8.29 as the globals the bundle reads
 * (`Reactv16`, `FluentUIReactv8290`; see the top of any pcf-scripts bundle). The page serves the
 * same builds from node_modules so it works offline: React and ReactDOM from their UMD files, and
 * Fluent from the UMD build pcf-start ships for its own harness (it assigns self.FluentUIReactv8290
 * from the React/ReactDOM globals, so it must load after them).
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface PlatformScript {
  url: string;
  file: string;
}

/** In load order. */
export function platformScripts(): PlatformScript[] {
  return [
    { url: "/platform/react_16_14_0.js", file: require.resolve("react/umd/react.production.min.js") },
    { url: "/platform/react-dom_16_14_0.js", file: require.resolve("react-dom/umd/react-dom.production.min.js") },
    { url: "/platform/fluent_8_29_0.js", file: require.resolve("pcf-start/lib/fluent_8_29_0.js") },
  ];
}

/** Run after the scripts above: the alias pcf-start's harness also sets for React. */
export const PLATFORM_ALIASES = "window.Reactv16 = window.React;";
