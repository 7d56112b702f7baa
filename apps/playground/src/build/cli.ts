// `pnpm --filter @llmts/playground build`: builds the page into dist/ (what `llmts playground`
// does when the build is out of date) and says where it went.
import { buildPlayground, DIST } from "./build.ts";

const start = performance.now();
await buildPlayground();
console.log(`built ${DIST} in ${(performance.now() - start).toFixed(0)} ms`);
