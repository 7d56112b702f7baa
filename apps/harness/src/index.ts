// Public API of @llmts/harness.
export {};
