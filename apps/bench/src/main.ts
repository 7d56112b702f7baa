// pnpm bench entry point.
export {};
