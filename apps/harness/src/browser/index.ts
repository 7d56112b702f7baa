// Browser-test utilities of @llmts/harness (`import ... from "@llmts/harness/browser"`): headless
// Chromium, a cross-origin-isolated static server and an esbuild bundler for browsers. Used by
// the harness's own browser check and by the playground's end-to-end tests. Node only.
export { type Bundle, bundleForBrowser } from "./bundle.ts";
export { chromiumPath, launchChromium } from "./chromium.ts";
export { ISOLATION_HEADERS, type StaticServer, serveStatic } from "./server.ts";
