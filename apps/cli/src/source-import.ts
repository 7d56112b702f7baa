// Importing a workspace module that exists only as TypeScript source from wherever the CLI runs.
// From the sources (bin/llmts.mjs registered tsx) a plain import() works. The bundled CLI
// (dist/llmts.mjs) leaves a few modules out of the bundle on purpose — the playground's build
// code reads the playground's own files relative to itself — so it registers tsx's loader the
// first time such a module is needed, which costs that command tsx's start-up, and only it.
// Not here: deciding what stays out of the bundle (scripts/build.mjs).

let registered = false;

/** import(specifier) of a TypeScript module, registering tsx first when running from the bundle. */
export async function importSource<T>(specifier: string): Promise<T> {
  const fromBundle = !import.meta.url.endsWith(".ts");
  if (fromBundle && !registered) {
    const { register } = await import("tsx/esm/api");
    register();
    registered = true;
  }
  return (await import(specifier)) as T;
}
